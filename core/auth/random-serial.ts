import { randomBytes } from 'node:crypto';

/**
 * A random 16-byte certificate serial number as hex: positive (top bit clear) and with a
 * non-zero first byte (bit 6 set), so its DER INTEGER is exactly 16 bytes. 126 random bits.
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x40;
  return bytes.toString('hex');
}
