declare const unrecognized: unique symbol;

/**
 * Stands for a value this SDK version does not know yet (a new webhook `type`, a new union
 * member). Nothing can be assigned to it, so code must narrow first (`isUnrecognizedWebhook`)
 * before it may touch fields that only known members have.
 */
export type Unrecognized = typeof unrecognized;
