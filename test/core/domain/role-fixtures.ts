import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { AppError } from '../../../core/domain/app-error.ts';
import type { ErrorCode } from '../../../core/domain/app-error.ts';
import { parseRoles } from '../../../core/domain/role-yaml.ts';
import type { Role } from '../../../core/domain/types.ts';

/** Reads a fixture file next to the tests. */
export function readFixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');
}

/** Parses role YAML and returns the roles by name. */
export function rolesByName(yamlText: string): Record<string, Role> {
  const out: Record<string, Role> = {};
  for (const role of parseRoles(yamlText, 'test.yaml')) out[role.name] = role;
  return out;
}

/** One role from a compact spec written in YAML (the `spec:` block only). */
export function roleFrom(name: string, spec: string): Role {
  const text = `kind: role\nversion: v7\nmetadata:\n  name: ${name}\nspec:\n${spec
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n`;
  const [role] = parseRoles(text, `${name}.yaml`);
  if (role === undefined) throw new Error('no role');
  return role;
}

/** Runs `fn` and asserts it throws an AppError with exactly this code and message. */
export function expectAppError(fn: () => unknown, code: ErrorCode, message: string | RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'expected an AppError to be thrown').toBeInstanceOf(AppError);
  const e = thrown as AppError;
  if (typeof message === 'string') expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
  expect(e.code).toBe(code);
}
