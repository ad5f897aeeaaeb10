import { InvalidInputError } from "./errors.js";
import { type HmacSha256Key, hmacSha256, prepareHmacSha256Key } from "./hmac-sha256.js";

/** A webhook secret: base64 text as the PortOne console shows it (`whsec_` optional), or bytes. */
export type WebhookSecret = string | Uint8Array;

/** How to read a string secret; the same option as the `standardwebhooks` package. */
export interface WebhookOptions {
  /** `"raw"`: use the string's UTF-8 bytes as the key instead of decoding it as base64. */
  format?: "raw";
}

/** A secret ready to sign with; built once per secret and kept in a small cache. */
interface SigningKey {
  readonly hmac: HmacSha256Key;
  readonly rawKey: Uint8Array<ArrayBuffer>;
  /** Imported only when a long message needs it. */
  webCryptoKey?: ReturnType<typeof globalThis.crypto.subtle.importKey>;
}

const secretPrefix = "whsec_";

// Bounded so that a caller passing a fresh secret on every call cannot grow memory without limit;
// 16 comfortably holds the test and live secrets of a few stores during a rotation.
const cacheLimit = 16;
const cache = /* @__PURE__ */ new Map<string, SigningKey>();
let lastSecret: string | undefined;
let lastFormat: WebhookOptions["format"];
let lastKey: SigningKey | undefined;

/**
 * Messages up to this length are hashed in JavaScript, which beats the ~40 µs round trip of
 * `crypto.subtle` in Node; longer ones use Web Crypto so that the event loop is not held.
 */
export const shortMessageBytes = 4096;

const utf8 = /* @__PURE__ */ new TextEncoder();

function cacheKeyOf(secret: WebhookSecret, options: WebhookOptions | undefined): string {
  if (typeof secret === "string") return (options?.format === "raw" ? "r:" : "b:") + secret;
  let key = "u:";
  for (let i = 0; i < secret.length; i++) key += String.fromCharCode(secret[i] as number);
  return key;
}

function decodeSecret(
  secret: WebhookSecret,
  options: WebhookOptions | undefined,
): Uint8Array<ArrayBuffer> {
  if (secret instanceof Uint8Array) return new Uint8Array(secret);
  if (options?.format === "raw") return utf8.encode(secret);
  const base64 = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret;
  try {
    return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  } catch (cause) {
    throw new InvalidInputError(
      '`secret` is not valid base64: copy the webhook secret exactly as the PortOne console shows it (with or without its `whsec_` prefix), or pass `{ format: "raw" }` for a raw secret.',
      { cause },
    );
  }
}

/** Decodes and caches a secret; throws `InvalidInputError` for a malformed or empty one. */
export function signingKeyOf(secret: WebhookSecret, options?: WebhookOptions): SigningKey {
  if (typeof secret !== "string" && !(secret instanceof Uint8Array)) {
    throw new InvalidInputError(
      "`secret` must be a base64 string (optionally prefixed with `whsec_`) or a Uint8Array.",
    );
  }
  // Most servers verify with the same string secret every time: skip building the cache key.
  if (secret === lastSecret && options?.format === lastFormat && lastKey !== undefined) {
    return lastKey;
  }
  const cacheKey = cacheKeyOf(secret, options);
  let signingKey = cache.get(cacheKey);
  if (signingKey !== undefined) {
    // Re-insert so that Map order is least-recently-used first.
    cache.delete(cacheKey);
    cache.set(cacheKey, signingKey);
  } else {
    signingKey = createSigningKey(secret, options);
    if (cache.size >= cacheLimit) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(cacheKey, signingKey);
  }
  if (typeof secret === "string") {
    lastSecret = secret;
    lastFormat = options?.format;
    lastKey = signingKey;
  }
  return signingKey;
}

function createSigningKey(secret: WebhookSecret, options: WebhookOptions | undefined): SigningKey {
  const rawKey = decodeSecret(secret, options);
  if (rawKey.length === 0) {
    throw new InvalidInputError(
      "`secret` is empty: pass the webhook secret from the PortOne console.",
    );
  }
  return { hmac: prepareHmacSha256Key(rawKey), rawKey };
}

/**
 * HMAC-SHA256 of `message`: synchronous (a Uint8Array) for short messages, a Promise for long
 * ones, so that a short message held in a shared buffer is hashed before anything else runs.
 */
export function computeSignature(
  key: SigningKey,
  message: Uint8Array<ArrayBuffer>,
): Uint8Array | Promise<Uint8Array> {
  if (message.length <= shortMessageBytes) return hmacSha256(key.hmac, message);
  return signWithWebCrypto(key, message);
}

async function signWithWebCrypto(
  key: SigningKey,
  message: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array> {
  key.webCryptoKey ??= globalThis.crypto.subtle.importKey(
    "raw",
    key.rawKey,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(
    await globalThis.crypto.subtle.sign("HMAC", await key.webCryptoKey, message),
  );
}
