/**
 * Whether `text` is a bare email address (`alice@example.com`, not `Alice <alice@example.com>`),
 * like Teleport's `lib.IsEmail`: one `@`, a non-empty local part without spaces or angle
 * brackets, and a domain with a dot.
 */
export function isEmail(text: string): boolean {
  return text.length <= 254 && /^[^\s@<>()",;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(text);
}
