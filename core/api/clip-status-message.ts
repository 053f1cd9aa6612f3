/**
 * Most bytes a status message may take on the wire. grpc-js sends it percent-encoded
 * (`encodeURI`) in the `grpc-message` trailer, so a non-ASCII character costs up to 9 bytes;
 * common clients refuse trailers over 8 KB with RESOURCE_EXHAUSTED, which would hide the real
 * status. 2 KB keeps the whole trailer block well under 4 KB.
 */
export const MAX_STATUS_MESSAGE_BYTES = 2048;

const ELLIPSIS = ' …(cut)';

/**
 * Bounds a status message for the wire: at most `MAX_STATUS_MESSAGE_BYTES` once percent-encoded,
 * cut at a character boundary with a marker. Also replaces lone UTF-16 surrogates, on which
 * `encodeURI` (and so grpc-js's sendStatus) would throw. Messages already quote client input
 * through `quoteShort`; this is the last line of defence for any path that does not.
 */
export function clipStatusMessage(message: string, maxBytes = MAX_STATUS_MESSAGE_BYTES): string {
  const text = message.toWellFormed();
  // Fast path: even at the worst case of 9 encoded bytes per UTF-16 unit it fits.
  if (text.length * 9 <= maxBytes) return text;
  // Each UTF-16 unit takes at least one byte, so a longer text cannot fit.
  if (text.length <= maxBytes && encodeURI(text).length <= maxBytes) return text;
  const budget = maxBytes - encodeURI(ELLIPSIS).length;
  // The longest prefix that fits: the encoded size grows with the prefix, so binary search
  // (a dozen encodeURI calls on at most `budget` characters, on the error path only).
  let low = 0;
  let high = Math.min(text.length, budget);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (encodeURI(sliceWhole(text, mid)).length <= budget) low = mid;
    else high = mid - 1;
  }
  return `${sliceWhole(text, low)}${ELLIPSIS}`;
}

/** The first `units` UTF-16 units, one fewer if that would split a surrogate pair. */
function sliceWhole(text: string, units: number): string {
  if (units <= 0) return '';
  const last = text.charCodeAt(units - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? units - 1 : units);
}
