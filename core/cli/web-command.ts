import { spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { hostOf } from '../server/host-port.ts';
import { UsageError } from './cli-error.ts';
import { defineCommand, type CliEnv, type CommandGroup } from './command-spec.ts';
import { openSession } from './connect.ts';
import { printJson } from './output.ts';

/** The console's port when the server's `web_listen` is left to the documented default. */
export const DEFAULT_WEB_PORT = 3080;

const USAGE = `Usage: gatehouse web login [--web URL] [--next PATH] [--open]

Prints a one-time link that signs this identity in to the web console (valid 60 seconds, once).
  --web URL    the console, e.g. https://gatehouse.example.com (env GATEHOUSE_WEB;
               default https://<host of --addr>:${DEFAULT_WEB_PORT})
  --next PATH  the console page to land on, e.g. /web/requests/<id>
  --open       also open the link in the default browser`;

interface LoginLink {
  url: string;
  user: string;
  expires_ms: number;
}

/** The console's base URL: `--web`, GATEHOUSE_WEB, or the API host on the console's default port. */
function resolveWebUrl(flag: string | undefined, env: CliEnv, addr: string): URL {
  const text = flag ?? env.web ?? `https://${hostOf(addr).includes(':') ? `[${hostOf(addr)}]` : hostOf(addr)}:${DEFAULT_WEB_PORT}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--web: expected a URL like https://gatehouse.example.com, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'https:') throw new UsageError(`--web: the console is served over HTTPS only, got ${JSON.stringify(text)}`);
  return url;
}

/**
 * Asks the console for a sign-in link, presenting the identity's client certificate over TLS
 * (the console checks it as the gRPC API would). The console is trusted if its certificate
 * chains to the cluster CA of the identity file or to a public CA (a `web.cert_file`).
 */
function requestLink(base: URL, identity: { keyPem: string; certPem: string; caPems: readonly string[] }, next: string | undefined): Promise<LoginLink> {
  const path = `/web/api/login-links${next ? `?next=${encodeURIComponent(next)}` : ''}`;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, base),
      { method: 'POST', key: identity.keyPem, cert: identity.certPem, ca: [...rootCertificates, ...identity.caPems], timeout: 15_000, headers: { 'Content-Length': 0 } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return reject(new Error(`${base.origin} answered ${res.statusCode} without JSON: is it the Gatehouse web console?`));
          }
          const rec = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
          if (res.statusCode === 200 && typeof rec.url === 'string' && typeof rec.user === 'string' && typeof rec.expires_ms === 'number') {
            return resolve({ url: rec.url, user: rec.user, expires_ms: rec.expires_ms });
          }
          reject(new Error(`web console refused: ${typeof rec.error === 'string' ? rec.error : `HTTP ${res.statusCode}`}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${base.origin} did not answer within 15s`)));
    req.on('error', (err) => reject(new Error(`cannot reach the web console at ${base.origin}: ${err.message} (is web_listen set on the server? pass --web URL)`)));
    req.end();
  });
}

function openInBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`could not start ${command}; open the link yourself\n`));
  child.unref();
}

const login = defineCommand({
  name: 'login',
  summary: 'print a one-time link that signs this identity in to the web console',
  description: `The link works once, within 60 seconds. The console is found at --web, GATEHOUSE_WEB, or the\nAPI host on port ${DEFAULT_WEB_PORT}.`,
  flags: {
    web: { type: 'string', value: 'URL', description: `the console, e.g. https://gatehouse.example.com (env GATEHOUSE_WEB; default https://<host of the API>:${DEFAULT_WEB_PORT})` },
    next: { type: 'string', value: 'PATH', description: 'the console page to land on, e.g. /web/requests/<id>' },
    open: { type: 'boolean', description: 'also open the link in the default browser' },
  },
  examples: ['gatehouse web login', 'gatehouse web login --next /web/requests/0190a0e2-... --open'],
  async run({ values, globals }) {
    if (values.next !== undefined && !values.next.startsWith('/web/')) throw new UsageError(`--next: expected a console path such as /web/requests/<id>, got ${JSON.stringify(values.next)}`);
    const { context } = await openSession(globals);
    const base = resolveWebUrl(values.web, globals.env, context.addr.text);
    const link = await requestLink(base, context.material, values.next);
    if (globals.format === 'json') return printJson(link);
    process.stdout.write(`Open this link within 60 seconds to sign in as ${link.user} (it works once):\n\n  ${link.url}\n\n`);
    if (values.open === true) openInBrowser(link.url);
  },
});

/** `gatehouse web login`. */
export const webGroup: CommandGroup = { name: 'web', summary: 'the web console: login', commands: [login] };
