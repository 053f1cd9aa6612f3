const TEMPLATE = /\{\{\s*(?:external|internal)(?:\.([A-Za-z0-9_-]+)|\[\s*"([^"]+)"\s*\])\s*\}\}/;

/**
 * Expands one `{{external.key}}` / `{{internal.key}}` / `{{external["key"]}}` template in an
 * annotation value with the user's trait values (text around it is kept), as Teleport does for
 * `allow.request.annotations`. A value without a template is returned as is. A missing trait,
 * an unknown template or more than one template yields no values (the value is skipped).
 */
export function interpolateTraits(value: string, traits: Readonly<Record<string, readonly string[]>>): string[] {
  if (!value.includes('{{')) return [value];
  const m = TEMPLATE.exec(value);
  if (m === null) return [];
  const before = value.slice(0, m.index);
  const after = value.slice(m.index + m[0].length);
  if (after.includes('{{') || before.includes('{{')) return [];
  const key = m[1] ?? m[2] ?? '';
  const values = Object.hasOwn(traits, key) ? (traits[key] ?? []) : [];
  return values.map((v) => `${before}${v}${after}`);
}
