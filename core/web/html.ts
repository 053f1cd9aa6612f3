/** Markup that is already safe to emit: made only by `html` (which escapes) or `raw`. */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Markup trusted as is (constants of our own, never user input). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * A template tag that escapes every interpolated value unless it is `SafeHtml`. Arrays are
 * joined; `undefined`, `null` and `false` render nothing, so `${cond && html`…`}` works. Every
 * page of the console is built with it, so user text (reasons, names) cannot become markup.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}
