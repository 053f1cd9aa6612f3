/**
 * Atlassian Document Format (ADF) helpers for the fake Jira.
 *
 * Jira Cloud's v3 API takes and returns rich text (description, comment bodies) as ADF documents;
 * the v2 API takes wiki-markup strings and Jira converts them server-side. The fake validates the
 * top-level shape the way v3 does (`type: 'doc'`, `version: 1`, `content` array of nodes) and
 * converts plain text both ways so tests can write and read bodies as strings.
 */

import { isRecord } from './http-fake-server.ts';

/** One ADF node; only `type` is required at every level. */
export interface AdfNode {
  readonly type: string;
  readonly text?: string;
  readonly content?: readonly AdfNode[];
  readonly attrs?: Readonly<Record<string, unknown>>;
  readonly marks?: readonly unknown[];
}

/** A complete ADF document as Jira stores it. */
export interface AdfDoc {
  readonly type: 'doc';
  readonly version: 1;
  readonly content: readonly AdfNode[];
}

/** Jira v3's message when a rich-text field is not a document (400, under `errors.<field>`). */
export const ADF_REQUIRED_MESSAGE = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';

function parseNode(value: unknown, depth: number): AdfNode | undefined {
  if (!isRecord(value) || typeof value['type'] !== 'string' || depth > 64) return undefined;
  const node: { type: string; text?: string; content?: AdfNode[]; attrs?: Record<string, unknown>; marks?: unknown[] } = {
    type: value['type'],
  };
  if (value['text'] !== undefined) {
    if (typeof value['text'] !== 'string') return undefined;
    node.text = value['text'];
  }
  if (value['content'] !== undefined) {
    if (!Array.isArray(value['content'])) return undefined;
    const children: AdfNode[] = [];
    for (const child of value['content']) {
      const parsed = parseNode(child, depth + 1);
      if (parsed === undefined) return undefined;
      children.push(parsed);
    }
    node.content = children;
  }
  if (isRecord(value['attrs'])) node.attrs = value['attrs'];
  if (Array.isArray(value['marks'])) node.marks = value['marks'];
  return node;
}

/**
 * Validates an ADF document as Jira v3 does at its edge.
 * @returns the document, or `undefined` when the value is not `{type:'doc', version:1, content:[nodes]}`.
 */
export function parseAdfDoc(value: unknown): AdfDoc | undefined {
  if (!isRecord(value) || value['type'] !== 'doc' || value['version'] !== 1 || !Array.isArray(value['content'])) {
    return undefined;
  }
  const content: AdfNode[] = [];
  for (const child of value['content']) {
    const node = parseNode(child, 1);
    if (node === undefined) return undefined;
    content.push(node);
  }
  return { type: 'doc', version: 1, content };
}

/** Builds a document with one paragraph per line of `text` (what Jira makes of plain wiki text). */
export function adfFromText(text: string): AdfDoc {
  const content: AdfNode[] = text.split('\n').map((line) =>
    line === '' ? { type: 'paragraph' } : { type: 'paragraph', content: [{ type: 'text', text: line }] },
  );
  return { type: 'doc', version: 1, content };
}

function nodeText(node: AdfNode): string {
  if (node.type === 'text') return node.text ?? '';
  if (node.type === 'hardBreak') return '\n';
  return (node.content ?? []).map(nodeText).join('');
}

/** Flattens a document to text: blocks joined by newlines, inline nodes concatenated. */
export function adfToText(doc: AdfDoc): string {
  return doc.content.map(nodeText).join('\n');
}
