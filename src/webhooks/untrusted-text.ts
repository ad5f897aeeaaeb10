/**
 * Checks for text that arrives from outside (webhook bodies and headers, admin parameters)
 * before it reaches the database or a log: one rule per kind of value, in one place.
 */

/** Deepest JSON nesting a webhook body may have; PortOne's bodies are three levels deep. */
export const MAX_JSON_DEPTH = 32;

/** C0 and C1 control characters (NUL included): PostgreSQL cannot store NUL in TEXT at all. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A single-line label (an event type, a timestamp): 1 to `maxLength` characters, no control
 * characters, no lone surrogate halves (which are not text and would be mangled on the way
 * to the database).
 */
export function isCleanLabel(value: string, maxLength: number): boolean {
  return (
    value.length > 0 &&
    value.length <= maxLength &&
    !CONTROL_CHARACTERS.test(value) &&
    !LONE_SURROGATE.test(value)
  );
}

/** Identifiers (webhook-id, event and subscriber ids): visible ASCII only, 1 to 200 characters. */
export const ID_PATTERN = /^[\u0021-\u007e]{1,200}$/;
export const ID_RULE = "1 to 200 visible ASCII characters (no spaces or control characters)";

export function isCleanId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/**
 * Whether JSON text nests arrays/objects deeper than `maxDepth`, found by one scan over the
 * characters (brackets inside strings do not count), so that nothing recursive ever runs over
 * a hostile document.
 */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c /* \ */) index++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}
