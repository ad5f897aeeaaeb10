import { describe, expect, it } from "vitest";
import { hmacSha256, prepareHmacSha256Key } from "../../src/sdk/webhook/hmac-sha256.js";

// The JavaScript HMAC guards every webhook, so it is checked against Web Crypto over every
// message length around the block boundaries and keys shorter than, equal to and longer than
// a block (longer keys are hashed first).
async function webCryptoHmac(key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  const imported = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", imported, new Uint8Array(message)));
}

function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65_536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65_536)));
  }
  return bytes;
}

describe("hmacSha256", () => {
  it("matches the RFC 4231 test case 2", () => {
    const key = prepareHmacSha256Key(new TextEncoder().encode("Jefe"));
    const mac = hmacSha256(key, new TextEncoder().encode("what do ya want for nothing?"));
    expect(Buffer.from(mac).toString("hex")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("matches Web Crypto for every length 0..300 and keys of 1 to 200 bytes", async () => {
    for (const keyLength of [1, 24, 32, 63, 64, 65, 131, 200]) {
      const rawKey = randomBytes(keyLength);
      const key = prepareHmacSha256Key(rawKey);
      for (let length = 0; length <= 300; length++) {
        const message = randomBytes(length);
        expect(hmacSha256(key, message), `key ${keyLength}, message ${length}`).toEqual(
          await webCryptoHmac(rawKey, message),
        );
      }
    }
  });

  it("matches Web Crypto for long messages", async () => {
    const rawKey = randomBytes(32);
    const key = prepareHmacSha256Key(rawKey);
    for (const length of [4095, 4096, 4097, 65_536 + 55, 1_000_000]) {
      const message = randomBytes(length);
      expect(hmacSha256(key, message), `message ${length}`).toEqual(
        await webCryptoHmac(rawKey, message),
      );
    }
  });

  it("does not carry state from one call into the next", () => {
    const key = prepareHmacSha256Key(randomBytes(32));
    const message = randomBytes(100);
    const first = hmacSha256(key, message);
    hmacSha256(key, randomBytes(200));
    expect(hmacSha256(key, message)).toEqual(first);
  });
});
