/**
 * Atlassian Document Format, the rich text of Jira Cloud's v3 API. The plugin writes ADF itself
 * (a plain string makes jira.js fall back to the v2 API) and flattens comments it reads to text.
 */

/** One ADF node. */
export interface AdfNode {
  readonly type: string;
  readonly text?: string;
  readonly content?: readonly AdfNode[];
  readonly attrs?: Readonly<Record<string, unknown>>;
  readonly marks?: readonly { readonly type: string; readonly attrs?: Readonly<Record<string, unknown>> }[];
}

/** A complete document. */
export interface AdfDoc {
  readonly type: 'doc';
  readonly version: 1;
  readonly content: readonly AdfNode[];
}

/** An inline piece: plain, bold or code text. */
export type Inline = string | { readonly bold: string } | { readonly code: string } | { readonly link: string; readonly text: string };

function inline(piece: Inline): AdfNode | undefined {
  if (typeof piece === 'string') return piece === '' ? undefined : { type: 'text', text: piece };
  if ('bold' in piece) return piece.bold === '' ? undefined : { type: 'text', text: piece.bold, marks: [{ type: 'strong' }] };
  if ('code' in piece) return piece.code === '' ? undefined : { type: 'text', text: piece.code, marks: [{ type: 'code' }] };
  return { type: 'text', text: piece.text, marks: [{ type: 'link', attrs: { href: piece.link } }] };
}

/** A paragraph of inline pieces; newlines in plain text become hard breaks. */
export function paragraph(...pieces: Inline[]): AdfNode {
  const content: AdfNode[] = [];
  for (const piece of pieces) {
    if (typeof piece === 'string' && piece.includes('\n')) {
      piece.split('\n').forEach((line, i) => {
        if (i > 0) content.push({ type: 'hardBreak' });
        const node = inline(line);
        if (node !== undefined) content.push(node);
      });
      continue;
    }
    const node = inline(piece);
    if (node !== undefined) content.push(node);
  }
  return content.length === 0 ? { type: 'paragraph' } : { type: 'paragraph', content };
}

export function bulletList(items: readonly Inline[][]): AdfNode {
  return { type: 'bulletList', content: items.map((pieces) => ({ type: 'listItem', content: [paragraph(...pieces)] })) };
}

/** User-supplied text, verbatim, in a quote block. */
export function quote(text: string): AdfNode {
  return { type: 'blockquote', content: [paragraph(text)] };
}

export function doc(...content: AdfNode[]): AdfDoc {
  return { type: 'doc', version: 1, content };
}

function nodeText(node: unknown, depth: number): string {
  if (typeof node !== 'object' || node === null || depth > 64) return '';
  const n = node as { type?: unknown; text?: unknown; content?: unknown; attrs?: unknown };
  if (n.type === 'text') return typeof n.text === 'string' ? n.text : '';
  if (n.type === 'hardBreak') return '\n';
  if ((n.type === 'mention' || n.type === 'emoji' || n.type === 'status') && typeof n.attrs === 'object' && n.attrs !== null) {
    const t = (n.attrs as Record<string, unknown>)['text'];
    return typeof t === 'string' ? t : '';
  }
  if (!Array.isArray(n.content)) return '';
  const block = ['paragraph', 'heading', 'blockquote', 'listItem', 'bulletList', 'orderedList', 'codeBlock', 'panel', 'doc'].includes(String(n.type));
  const parts = n.content.map((c) => nodeText(c, depth + 1));
  return block && n.type !== 'paragraph' && n.type !== 'heading' && n.type !== 'codeBlock' ? parts.join('\n') : parts.join('');
}

/**
 * Flattens a document (or a wiki string, as Jira Server returns) to text: blocks on their own
 * lines, hard breaks as newlines, mentions as their display text. Anything else gives ''.
 */
export function adfToText(value: unknown): string {
  if (typeof value === 'string') return value;
  return nodeText(value, 0);
}
