import fc from "fast-check";

/**
 * Shared fast-check arbitraries for the fuzz suites (tRPC here, the webhook route in its own
 * suite): the inputs an attacker sends to find a 5xx, a leak or a crash.
 */

/** Keys that reach prototypes or confuse naive object handling. */
export const PROTOTYPE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__defineGetter__",
] as const;

export const prototypeKey = (): fc.Arbitrary<string> => fc.constantFrom(...PROTOTYPE_KEYS);

/** Texts known to break parsers, SQL, URLs, logs and terminals. */
const NASTY_TEXTS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "x\ud83d",
  "\ud83d\ude00",
  "\u202e\u2066",
  "\ufeff",
  "\r\n\r\n",
  "..",
  ".",
  "../../../../etc/passwd",
  "%2e%2e%2f",
  "%00",
  "' OR 1=1 --",
  "'); DROP TABLE payment_records; --",
  "\\",
  '"',
  ["$", "{process.exit()}"].join(""),
  "{{constructor.constructor('return process')()}}",
  "%s%n%x",
  "<script>alert(1)</script>",
  "null",
  "undefined",
  "NaN",
  "-0",
  "1e309",
  ...PROTOTYPE_KEYS,
];

/** A string an attacker would send: control characters, lone surrogates, junk, huge, or known-bad. */
export function hostileString(options: { maxHugeLength?: number } = {}): fc.Arbitrary<string> {
  const huge = options.maxHugeLength ?? 70_000;
  const hostileChar = fc.oneof(
    fc.constantFrom("\u0000", "\u0001", "\u001f", "\u007f", "\u0085", "\u2028", "\ud800", "\udc00"),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NASTY_TEXTS) },
    { weight: 4, arbitrary: fc.string({ unit: hostileChar, maxLength: 40 }) },
    { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
    { weight: 3, arbitrary: plausibleId() },
    {
      weight: 2,
      arbitrary: fc
        .tuple(plausibleId(), fc.constantFrom(...NASTY_TEXTS), plausibleId())
        .map((parts) => parts.join("")),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 201, max: huge }), fc.constantFrom("a", "\u0000", "é", "\ud800"))
        .map(([length, char]) => char.repeat(length)),
    },
  );
}

/** An id that passes the character rules, so the request reaches the domain and the database. */
export function plausibleId(): fc.Arbitrary<string> {
  return fc.stringMatching(/^[\x21-\x7e]{1,48}$/);
}

/** Any JSON value, with hostile strings, prototype keys and moderate nesting. */
export function hostileJson(maxDepth = 4): fc.Arbitrary<unknown> {
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", maxDepth },
      hostileString({ maxHugeLength: 2_000 }),
      fc.integer(),
      fc.double(),
      fc.constantFrom(null, true, false, 0, -1, Number.MAX_SAFE_INTEGER, 1e308),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(fc.oneof(prototypeKey(), hostileString({ maxHugeLength: 300 })), tie("value"), {
        maxKeys: 4,
      }),
    ),
  }));
  return value;
}

/**
 * JSON text nested far deeper than any recursive walker should follow (it is text, not a
 * value, so building it does not recurse either).
 */
export function deeplyNestedJson(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 500, max: 20_000 }), fc.constantFrom("array", "object"))
    .map(([depth, shape]) =>
      shape === "array"
        ? `${"[".repeat(depth)}1${"]".repeat(depth)}`
        : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
    );
}

/** Replaces fields of a well-formed input with hostile values, and adds prototype keys. */
export function hostileRecord(fields: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      fc.record(
        Object.fromEntries(
          fields.map((field) => [
            field,
            fc.oneof(
              { weight: 5, arbitrary: hostileString() },
              { weight: 1, arbitrary: hostileJson(2) },
            ),
          ]),
        ),
        { requiredKeys: [] },
      ),
      fc.dictionary(prototypeKey(), hostileJson(2), { maxKeys: 2 }),
    )
    .map(([record, extra]) => {
      // JSON.parse creates "__proto__" as an own key; Object.assign would not, so define it.
      for (const [key, value] of Object.entries(extra))
        Object.defineProperty(record, key, {
          value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      return record;
    });
}

export const ODD_METHODS = [
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "HEAD",
  "TRACE",
  "PROPFIND",
  "M-SEARCH",
] as const;
export const oddMethod = (): fc.Arbitrary<string> => fc.constantFrom(...ODD_METHODS);

/** Content types a client might send, legal as header values (Node refuses control characters). */
export function oddContentType(): fc.Arbitrary<string | undefined> {
  return fc.constantFrom(
    undefined,
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=utf-16",
    "text/plain",
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=----x",
    "application/octet-stream",
    "application/xml",
    "application/jsonp",
    "*/*",
    "",
    "application/json, text/html",
  );
}

/** What goes into an Authorization header: nothing, junk, or a real token (given). */
export function authorizationHeader(validToken: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constant(`Bearer ${validToken}`),
    fc.constantFrom(
      "Bearer",
      "Bearer ",
      "Basic YTpi",
      "bearer x.y.z",
      `Bearer ${"a".repeat(9_000)}`,
    ),
    fc.stringMatching(/^Bearer [\x21-\x7e]{0,120}$/),
  );
}
