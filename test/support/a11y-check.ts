import type { Page } from 'playwright-core';

/**
 * Accessibility checks run inside a page (no third-party checker is installed): the rules
 * axe-core reports as serious or critical that a server-rendered page can break — language,
 * title, one main and one h1, heading order, names for every control, link and button,
 * unique ids, table headers, and text contrast of at least 4.5:1 (3:1 for large text).
 * Returns one line per violation; [] when clean.
 */
export async function checkAccessibility(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const describe = (el: Element): string => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}`;
    const visible = (el: Element): boolean => {
      const s = getComputedStyle(el);
      return s.display !== 'none' && s.visibility !== 'hidden' && (el as HTMLElement).offsetParent !== null;
    };
    const nameOf = (el: Element): string => {
      const label = el.getAttribute('aria-label');
      if (label) return label.trim();
      const by = el.getAttribute('aria-labelledby');
      if (by) return by.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
      if (el.id) {
        const forLabel = document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
        if (forLabel) return (forLabel.textContent ?? '').trim();
      }
      const wrapping = el.closest('label');
      if (wrapping) return (wrapping.textContent ?? '').trim();
      return (el.textContent ?? '').trim();
    };
    if (!document.documentElement.lang) problems.push('html has no lang');
    if (!document.title.trim()) problems.push('page has no title');
    if (document.querySelectorAll('main').length !== 1) problems.push('page needs exactly one main landmark');
    if (document.querySelectorAll('h1').length !== 1) problems.push('page needs exactly one h1');
    let last = 0;
    for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
      const level = Number(h.tagName[1]);
      if (last && level > last + 1) problems.push(`heading ${describe(h)} skips from h${last} to h${level}`);
      last = level;
    }
    for (const el of document.querySelectorAll('input:not([type="hidden"]), select, textarea')) {
      if (nameOf(el) === '') problems.push(`form control ${describe(el)} has no label`);
    }
    for (const el of document.querySelectorAll('a[href], button')) {
      if (visible(el) && nameOf(el) === '') problems.push(`${describe(el)} has no accessible name`);
    }
    const ids = new Map<string, number>();
    for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) ?? 0) + 1);
    for (const [id, n] of ids) if (n > 1) problems.push(`id "${id}" is used ${n} times`);
    for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) problems.push(`${describe(img)} has no alt`);
    for (const th of document.querySelectorAll('th')) if (!th.closest('thead') && !th.hasAttribute('scope')) problems.push(`${describe(th)} has no scope`);

    const parse = (c: string): [number, number, number, number] => {
      const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
      return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : [0, 0, 0, 1];
    };
    const luminance = ([r, g, b]: number[]): number => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r ?? 0) + 0.7152 * f(g ?? 0) + 0.0722 * f(b ?? 0);
    };
    const background = (el: Element | null): [number, number, number, number] => {
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] > 0.5) return bg;
      }
      return matchMedia('(prefers-color-scheme: dark)').matches ? [0, 0, 0, 1] : [255, 255, 255, 1];
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const checked = new Set<Element>();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || checked.has(el) || !(node.textContent ?? '').trim() || !visible(el)) continue;
      checked.add(el);
      const style = getComputedStyle(el);
      const fg = luminance(parse(style.color));
      const bg = luminance(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) problems.push(`text in ${describe(el)} has contrast ${ratio.toFixed(2)}:1`);
    }
    return problems;
  });
}
