import { shortMessageBytes } from "./signing-key.js";

const utf8 = /* @__PURE__ */ new TextEncoder();

// Short messages are encoded into this one buffer instead of a fresh array per webhook: three
// bytes per UTF-16 unit is the most UTF-8 needs, so a short message always fits.
const scratch = /* @__PURE__ */ new Uint8Array(shortMessageBytes * 3);

function concatenated(prefix: string, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const head = utf8.encode(prefix);
  const content = /* @__PURE__ */ new Uint8Array(head.length + payload.length);
  content.set(head, 0);
  content.set(payload, head.length);
  return content;
}

/**
 * Bytes of `{id}.{timestamp}.{payload}`, the content Standard Webhooks signs.
 *
 * A message of at most `shortMessageBytes` is a view of a shared buffer, valid only until the
 * next call: pass it to `computeSignature`, which hashes such messages synchronously. Longer
 * messages get their own array, as Web Crypto hashes them asynchronously.
 */
export function signedContent(
  id: string,
  timestamp: string,
  payload: string | Uint8Array,
): Uint8Array<ArrayBuffer> {
  const prefix = `${id}.${timestamp}.`;
  if (typeof payload === "string") {
    const text = prefix + payload;
    // UTF-8 never has fewer bytes than UTF-16 units, so a longer text is a long message.
    if (text.length > shortMessageBytes) return utf8.encode(text);
    const { written } = utf8.encodeInto(text, scratch);
    const view = scratch.subarray(0, written);
    return written > shortMessageBytes ? view.slice() : view;
  }
  if (prefix.length + payload.length > shortMessageBytes) return concatenated(prefix, payload);
  const { written } = utf8.encodeInto(prefix, scratch);
  if (written + payload.length > shortMessageBytes) return concatenated(prefix, payload);
  scratch.set(payload, written);
  return scratch.subarray(0, written + payload.length);
}
