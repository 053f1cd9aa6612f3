const MARK = '… (truncated)';

/**
 * Cuts `text` to at most `limit` characters (code points, so an emoji or accented letter is
 * never split), at the last word break in the final tenth when there is one, and appends
 * "… (truncated)". Text within the limit is returned trimmed and otherwise unchanged.
 */
export function truncateText(text: string, limit: number): string {
  const trimmed = text.trim();
  const chars = Array.from(trimmed);
  if (chars.length <= limit) return trimmed;
  let cut = chars.slice(0, limit).join('');
  const lastBreak = cut.search(/\s\S*$/);
  if (lastBreak > limit * 0.9) cut = cut.slice(0, lastBreak);
  return `${cut.trimEnd()}${MARK}`;
}
