import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';

const REDACTED = '[redacted]';
/** Secret files are small (a token, a password); anything bigger is a mistake. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * A secret value (token, password). It prints as `[redacted]` everywhere (string conversion,
 * JSON, `util.inspect`, pino), so it cannot leak into logs by accident; `reveal()` is the one
 * way to read it and is called only at the point of use.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

export interface ResolveSecretOptions {
  /** The environment to read `env:NAME` from (passed in; nothing else reads `process.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a secret file. @default fs.readFileSync */
  readFile?: (path: string) => Buffer;
}

/**
 * Resolves a configured secret:
 * - `env:NAME` reads the environment variable NAME;
 * - `file:PATH`, or a value starting with `/`, `./` or `../`, reads the file (trimmed), like
 *   Teleport's plugins treat any value starting with `/` as a path;
 * - anything else is the secret itself.
 * @throws Error naming the variable or file (never the value) when it is missing or empty.
 */
export function resolveSecret(raw: string, options: ResolveSecretOptions): Secret {
  if (raw.startsWith('env:')) {
    const name = raw.slice('env:'.length);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`"env:${name}" is not a valid environment variable name`);
    const value = options.env[name]?.trim();
    if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set or empty`);
    return new Secret(value);
  }
  const path = raw.startsWith('file:') ? raw.slice('file:'.length) : /^(\/|\.\.?\/)/.test(raw) ? raw : undefined;
  if (path === undefined) return new Secret(raw);
  let bytes: Buffer;
  try {
    bytes = (options.readFile ?? readFileSync)(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`cannot read secret file ${path}${code ? ` (${code})` : ''}`, { cause: err });
  }
  if (bytes.length > MAX_SECRET_FILE_BYTES) throw new Error(`secret file ${path} is larger than 64 KiB`);
  const value = bytes.toString('utf8').trim();
  if (value === '') throw new Error(`secret file ${path} is empty`);
  return new Secret(value);
}
