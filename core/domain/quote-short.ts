/**
 * JSON-quotes a value for an error message, cut to `max` characters so hostile input cannot
 * flood logs or hide the rest of the message. Control characters come out escaped.
 */
export function quoteShort(value: string, max = 64): string {
  return JSON.stringify(cutShort(value, max));
}

/**
 * Cuts text that may carry input (a library's error message) to `max` characters, marking the
 * cut, without splitting a surrogate pair.
 */
export function cutShort(value: string, max = 160): string {
  if (value.length <= max) return value;
  const last = value.charCodeAt(max - 1);
  return `${value.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max)}…`;
}
