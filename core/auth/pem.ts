/**
 * PEM blocks: encode DER with a label, and find every block in a text. Text outside blocks is
 * ignored, so files that mix PEM with other lines (e.g. a Teleport identity file's SSH lines)
 * still parse.
 */

/** One PEM block: its label (`CERTIFICATE`, `PRIVATE KEY`, ...) and its DER bytes. */
export interface PemBlock {
  label: string;
  der: Buffer<ArrayBuffer>;
  /** The block as text, normalised to `\n` line ends and 64-column base64. */
  pem: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

/** Encodes DER bytes as a PEM block with 64-column lines and a trailing newline. */
export function toPem(label: string, der: Uint8Array | ArrayBuffer): string {
  const b64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Finds every PEM block in `text`, in order.
 * @throws Error naming the block's position when a block is unterminated, mislabelled or not base64.
 */
export function parsePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const [, label = '', body = '', endLabel = ''] = match;
    const position = blocks.length + 1;
    if (label !== endLabel) throw new Error(`PEM block ${position}: BEGIN ${label} ends with END ${endLabel}`);
    // RFC 7468 allows explanatory headers only in legacy encrypted keys; we accept none.
    const compact = body.replace(/\s+/g, '');
    if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64_BODY.test(compact)) {
      throw new Error(`PEM block ${position} (${label}) is not valid base64`);
    }
    const der = Buffer.from(compact, 'base64');
    blocks.push({ label, der, pem: toPem(label, der) });
  }
  const begins = text.match(/-----BEGIN /g)?.length ?? 0;
  if (begins !== blocks.length) throw new Error('PEM text has an unterminated or malformed block');
  return blocks;
}
