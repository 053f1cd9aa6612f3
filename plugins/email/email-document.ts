/**
 * One message body as a few kinds of block, rendered to both parts of a `multipart/alternative`
 * email from the same blocks, so the plain-text and HTML versions never say different things.
 */

/** A labelled value; `quote` keeps line breaks (a reason), `code` is a literal (an id), `link` a URL. */
export interface Field {
  readonly label: string;
  readonly value: string;
  readonly style?: 'quote' | 'code' | 'link';
}

export type Block =
  | { readonly kind: 'para'; readonly text: string }
  | { readonly kind: 'fields'; readonly fields: readonly Field[] }
  /** Shell commands to copy, one per line. */
  | { readonly kind: 'commands'; readonly intro: string; readonly lines: readonly string[] };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The plain-text part: paragraphs, `Label: value` lines (a quote indented under its label), commands indented. */
export function renderText(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'para':
        out.push(block.text);
        break;
      case 'fields': {
        const width = Math.max(...block.fields.map((f) => f.label.length)) + 1;
        out.push(
          block.fields
            .map((f) => {
              if (f.style !== 'quote') return `${`${f.label}:`.padEnd(width)} ${f.value}`;
              return `${f.label}:\n${f.value.split(/\r?\n/).map((line) => `    ${line}`).join('\n')}`;
            })
            .join('\n'),
        );
        break;
      }
      case 'commands':
        out.push(`${block.intro}\n${block.lines.map((line) => `    ${line}`).join('\n')}`);
        break;
      default: {
        const never: never = block;
        throw new Error(`unknown block ${JSON.stringify(never)}`);
      }
    }
  }
  return `${out.join('\n\n')}\n`;
}

const FONT = 'font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;line-height:1.45;color:#1f2328';
const MONO = 'font-family:SFMono-Regular,Consolas,Menlo,monospace;font-size:13px';

function fieldHtml(f: Field): string {
  const value = escapeHtml(f.value);
  switch (f.style) {
    case 'quote':
      return `<blockquote style="margin:0;padding:4px 10px;border-left:3px solid #d0d7de;white-space:pre-wrap">${value}</blockquote>`;
    case 'code':
      return `<code style="${MONO}">${value}</code>`;
    case 'link':
      return `<a href="${value}">${value}</a>`;
    case undefined:
      return value;
    default: {
      const never: never = f.style;
      throw new Error(`unknown style ${String(never)}`);
    }
  }
}

/** The HTML part: a self-contained document with inline styles (mail clients drop style sheets). */
export function renderHtml(blocks: readonly Block[]): string {
  const body = blocks.map((block) => {
    switch (block.kind) {
      case 'para':
        return `<p style="margin:0 0 12px">${escapeHtml(block.text)}</p>`;
      case 'fields': {
        const rows = block.fields.map((f) => `<tr><th style="text-align:left;vertical-align:top;padding:2px 12px 2px 0;white-space:nowrap">${escapeHtml(f.label)}</th><td style="padding:2px 0">${fieldHtml(f)}</td></tr>`);
        return `<table style="border-collapse:collapse;margin:0 0 12px" role="presentation">${rows.join('')}</table>`;
      }
      case 'commands':
        return `<p style="margin:0 0 4px">${escapeHtml(block.intro)}</p><pre style="${MONO};margin:0 0 12px;padding:8px;background:#f6f8fa">${block.lines.map(escapeHtml).join('\n')}</pre>`;
      default: {
        const never: never = block;
        throw new Error(`unknown block ${JSON.stringify(never)}`);
      }
    }
  });
  return `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="${FONT}">${body.join('')}</body></html>`;
}
