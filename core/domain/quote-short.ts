/**
 * JSON-quotes a value for an error message, cut to `max` characters so hostile input cannot
 * flood logs or hide the rest of the message. Control characters come out escaped.
 */
export function quoteShort(value: string, max = 64): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut);
}
