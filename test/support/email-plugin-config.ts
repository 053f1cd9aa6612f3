import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface EmailPluginConfigOptions {
  dir: string;
  addr: string | readonly string[];
  identity: string;
  smtp: {
    readonly host?: string;
    readonly port: number;
    /** A CA file for the server's certificate (written by the caller). */
    readonly caFile?: string;
    readonly username?: string;
    readonly password?: string;
    readonly starttls?: 'mandatory' | 'opportunistic' | 'disabled';
    readonly implicitTls?: boolean;
  };
  /** @default Gatehouse <noreply@gatehouse.test> */
  sender?: string;
  /** `role_to_recipients["*"]`. @default ["reviewers@example.com"] */
  recipients?: readonly string[];
  /** More `[role_to_recipients]` entries. */
  roles?: Readonly<Record<string, readonly string[]>>;
  /** Extra TOML appended verbatim (more sections, `[runtime]`). */
  extra?: string;
  /** Section name for the server. @default gatehouse */
  section?: 'gatehouse' | 'teleport';
  name?: string;
  /** @default debug */
  severity?: 'debug' | 'info' | 'warn' | 'error';
}

const list = (items: readonly string[]): string => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;

/** Writes an email plugin.toml logging JSON to stdout; returns its path. */
export function writeEmailPluginConfig(o: EmailPluginConfigOptions): string {
  const file = path.join(o.dir, o.name ?? 'plugin.toml');
  const addr = typeof o.addr === 'string' ? JSON.stringify(o.addr) : list(o.addr);
  const smtp = [
    `host = ${JSON.stringify(o.smtp.host ?? '127.0.0.1')}`,
    `port = ${o.smtp.port}`,
    ...(o.smtp.username === undefined ? [] : [`username = ${JSON.stringify(o.smtp.username)}`]),
    ...(o.smtp.password === undefined ? [] : [`password = ${JSON.stringify(o.smtp.password)}`]),
    ...(o.smtp.starttls === undefined ? [] : [`starttls_policy = ${JSON.stringify(o.smtp.starttls)}`]),
    ...(o.smtp.implicitTls === undefined ? [] : [`implicit_tls = ${o.smtp.implicitTls}`]),
    ...(o.smtp.caFile === undefined ? [] : [`ca_file = ${JSON.stringify(o.smtp.caFile)}`]),
  ];
  writeFileSync(
    file,
    `[${o.section ?? 'gatehouse'}]
addr = ${addr}
identity = ${JSON.stringify(o.identity)}

[smtp]
${smtp.join('\n')}

[delivery]
sender = ${JSON.stringify(o.sender ?? 'Gatehouse <noreply@gatehouse.test>')}

[role_to_recipients]
"*" = ${list(o.recipients ?? ['reviewers@example.com'])}
${Object.entries(o.roles ?? {}).map(([role, to]) => `${JSON.stringify(role)} = ${list(to)}`).join('\n')}

[log]
output = "stdout"
severity = ${JSON.stringify(o.severity ?? 'debug')}
${o.extra ?? ''}`,
  );
  return file;
}
