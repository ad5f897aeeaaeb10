declare const unrecognized: unique symbol;

/**
 * Stands for a discriminator value this SDK version does not know yet. PortOne may add union
 * members at any time, so every union carries `{ readonly type: Unrecognized }` (or `status`),
 * which keeps member-specific fields out of reach until the value has been narrowed.
 */
export type Unrecognized = typeof unrecognized;

/** Shared body of the generated `isUnrecognizedXxx` guards. */
export function hasUnrecognizedTag(tag: unknown, known: readonly string[]): boolean {
  return typeof tag !== "string" || !known.includes(tag);
}
