/**
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4) in plain JavaScript, for short messages.
 *
 * Why not only `crypto.subtle`: in Node every `subtle.sign` call is queued to the thread pool
 * and costs about 40 µs of latency, while a webhook body is a few hundred bytes that this code
 * hashes in a few microseconds on the calling thread. The key schedule is precomputed once per
 * secret (the two pad blocks), which also saves a quarter of the work per call compared with
 * hashing `key XOR pad` every time. Longer messages go to `crypto.subtle` (see `signing-key.ts`),
 * and the tests check both paths against Web Crypto over many lengths.
 *
 * The arithmetic is branch-free and never indexes a table by secret data, so its timing does not
 * depend on the key.
 */

const ROUND_CONSTANTS = /* @__PURE__ */ new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL_STATE = /* @__PURE__ */ new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const BLOCK_BYTES = 64;

// Scratch space reused by every call: JavaScript runs one call at a time, and no function here
// awaits, so sharing them is safe and avoids allocating per block.
const schedule = /* @__PURE__ */ new Int32Array(64);
const tailBlock = /* @__PURE__ */ new Uint8Array(BLOCK_BYTES * 2);

/** Feeds `blockCount` whole 64-byte blocks of `bytes`, starting at `offset`, into `state`. */
function compressBlocks(
  state: Int32Array,
  bytes: Uint8Array,
  offset: number,
  blockCount: number,
): void {
  const w = schedule;
  const k = ROUND_CONSTANTS;
  let h0 = state[0] as number;
  let h1 = state[1] as number;
  let h2 = state[2] as number;
  let h3 = state[3] as number;
  let h4 = state[4] as number;
  let h5 = state[5] as number;
  let h6 = state[6] as number;
  let h7 = state[7] as number;
  let position = offset;
  for (let block = 0; block < blockCount; block++) {
    for (let i = 0; i < 16; i++, position += 4) {
      w[i] =
        ((bytes[position] as number) << 24) |
        ((bytes[position + 1] as number) << 16) |
        ((bytes[position + 2] as number) << 8) |
        (bytes[position + 3] as number);
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15] as number;
      const y = w[i - 2] as number;
      const sigma0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const sigma1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (sigma1 + (w[i - 7] as number) + sigma0 + (w[i - 16] as number)) | 0;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    for (let i = 0; i < 64; i++) {
      const bigSigma1 =
        ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const choose = (e & f) ^ (~e & g);
      const t1 = (h + bigSigma1 + choose + (k[i] as number) + (w[i] as number)) | 0;
      const bigSigma0 =
        ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (bigSigma0 + majority) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  state[0] = h0;
  state[1] = h1;
  state[2] = h2;
  state[3] = h3;
  state[4] = h4;
  state[5] = h5;
  state[6] = h6;
  state[7] = h7;
}

/**
 * Hashes `message` into `state`, which has already absorbed `prefixBytes` bytes (a multiple of
 * 64), and writes the 32-byte digest into `out`.
 */
function finish(
  state: Int32Array,
  prefixBytes: number,
  message: Uint8Array,
  out: Uint8Array,
): void {
  const wholeBlocks = message.length >>> 6;
  compressBlocks(state, message, 0, wholeBlocks);
  const rest = message.length - wholeBlocks * BLOCK_BYTES;
  // The rest, the 0x80 marker and the 8-byte length need one block, or two when rest > 55.
  const tailBlocks = rest < 56 ? 1 : 2;
  const tail = tailBlock;
  tail.fill(0);
  tail.set(message.subarray(wholeBlocks * BLOCK_BYTES), 0);
  tail[rest] = 0x80;
  const totalBytes = prefixBytes + message.length;
  const end = tailBlocks * BLOCK_BYTES;
  // Bit length as a 64-bit big-endian integer, without leaving safe-integer arithmetic.
  const lengthHigh = Math.floor(totalBytes / 0x20000000);
  const lengthLow = (totalBytes * 8) >>> 0;
  tail[end - 8] = lengthHigh >>> 24;
  tail[end - 7] = lengthHigh >>> 16;
  tail[end - 6] = lengthHigh >>> 8;
  tail[end - 5] = lengthHigh;
  tail[end - 4] = lengthLow >>> 24;
  tail[end - 3] = lengthLow >>> 16;
  tail[end - 2] = lengthLow >>> 8;
  tail[end - 1] = lengthLow;
  compressBlocks(state, tail, 0, tailBlocks);
  for (let i = 0; i < 8; i++) {
    const word = state[i] as number;
    out[i * 4] = word >>> 24;
    out[i * 4 + 1] = word >>> 16;
    out[i * 4 + 2] = word >>> 8;
    out[i * 4 + 3] = word;
  }
}

/** The SHA-256 states after absorbing `key XOR ipad` and `key XOR opad`: all HMAC needs of a key. */
export interface HmacSha256Key {
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}

export function prepareHmacSha256Key(key: Uint8Array): HmacSha256Key {
  let keyBlock = key;
  if (keyBlock.length > BLOCK_BYTES) {
    const digest = /* @__PURE__ */ new Uint8Array(32);
    finish(INITIAL_STATE.slice(), 0, keyBlock, digest);
    keyBlock = digest;
  }
  const innerPad = /* @__PURE__ */ new Uint8Array(BLOCK_BYTES).fill(0x36);
  const outerPad = /* @__PURE__ */ new Uint8Array(BLOCK_BYTES).fill(0x5c);
  for (let i = 0; i < keyBlock.length; i++) {
    innerPad[i] = (innerPad[i] as number) ^ (keyBlock[i] as number);
    outerPad[i] = (outerPad[i] as number) ^ (keyBlock[i] as number);
  }
  const inner = INITIAL_STATE.slice();
  const outer = INITIAL_STATE.slice();
  compressBlocks(inner, innerPad, 0, 1);
  compressBlocks(outer, outerPad, 0, 1);
  return { inner, outer };
}

const workingState = /* @__PURE__ */ new Int32Array(8);
const innerDigest = /* @__PURE__ */ new Uint8Array(32);

/** HMAC-SHA256 of `message` under a prepared key; returns a new 32-byte array. */
export function hmacSha256(key: HmacSha256Key, message: Uint8Array): Uint8Array {
  const out = /* @__PURE__ */ new Uint8Array(32);
  workingState.set(key.inner);
  finish(workingState, BLOCK_BYTES, message, innerDigest);
  workingState.set(key.outer);
  finish(workingState, BLOCK_BYTES, innerDigest, out);
  return out;
}
