import { adfToText } from './jira-adf.ts';
import type { JiraComment } from './jira-api.ts';

/** A comment made in the same change as a transition carries (almost) the same timestamp. */
const SAME_CHANGE_MS = 2000;
const INLINE = /^ *(?:resolution|reason) *: *(.+)$/im;
const SEPARATOR = /^ *(?:resolution|reason) *: *$/im;

/**
 * The reason in a comment: the text after `Reason:` (or `Resolution:`) on the same line, or,
 * when that line ends at the colon, everything below it (the reference's two forms).
 * `undefined` when the comment has no such line.
 */
export function extractReason(text: string): string | undefined {
  const inline = INLINE.exec(text);
  if (inline?.[1] !== undefined && inline[1].trim() !== '') return inline[1].trim();
  const sep = SEPARATOR.exec(text);
  if (sep === null) return undefined;
  const rest = text.slice(sep.index + sep[0].length).replace(/^\s*\n/, '').trim();
  return rest === '' ? undefined : rest;
}

/**
 * The reason a person gave for a status change: the comment they made with the transition
 * (its `Reason:` part, or all of it), else their newest comment with a `Reason:` line.
 * Comments by anyone else never count. `comments` is newest first.
 */
export function findReason(comments: readonly JiraComment[], accountId: string, transitionAt: number): string {
  const own = comments.filter((c) => c.author?.accountId === accountId);
  const withTransition = own.find((c) => Math.abs(c.at - transitionAt) <= SAME_CHANGE_MS);
  if (withTransition !== undefined) {
    const text = adfToText(withTransition.body);
    return extractReason(text) ?? text.trim();
  }
  for (const c of own) {
    const reason = extractReason(adfToText(c.body));
    if (reason !== undefined) return reason;
  }
  return '';
}
