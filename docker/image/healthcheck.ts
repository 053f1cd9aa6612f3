/**
 * The HEALTHCHECK of every Gatehouse image (Dockerfile.plugin). Exit 0 = healthy, 1 = not.
 *
 * - server: a real gRPC `Ping` over mutual TLS with the admin identity the server writes into its
 *   data dir, to the `listen` port of server.yaml (127.0.0.1 when it listens on all addresses).
 * - plugin: `GET /healthz` on the plugin's `[http] listen_addr` from plugin.toml (https when the
 *   plugin serves TLS; the certificate is not checked, it is our own process).
 *
 * The port therefore follows the config file. Overrides (env):
 *   GATEHOUSE_HEALTH_URL   plugin: the full URL to GET (e.g. http://127.0.0.1:9000/readyz)
 *   GATEHOUSE_HEALTH_ADDR  server: HOST:PORT to ping
 *   GATEHOUSE_CONFIG       the config file (default /var/lib/gatehouse/{server.yaml,plugin.toml})
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import path from 'node:path';

const TIMEOUT_MS = 4000;
const component = process.env.GATEHOUSE_COMPONENT ?? '';

function localHost(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  let host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  if (host === '' || host === '0.0.0.0' || host === '::') host = '127.0.0.1';
  return { host, port: Number(listen.slice(i + 1)) };
}

async function checkServer(): Promise<string> {
  const { parse } = await import('yaml');
  const configFile = process.env.GATEHOUSE_CONFIG ?? '/var/lib/gatehouse/server.yaml';
  const config = (parse(readFileSync(configFile, 'utf8')) ?? {}) as { listen?: string; data_dir?: string };
  const dataDir = path.resolve(config.data_dir ?? 'data');
  const { host, port } = localHost(process.env.GATEHOUSE_HEALTH_ADDR ?? config.listen ?? '127.0.0.1:3025');
  const pem = readFileSync(path.join(dataDir, 'admin-identity.pem'), 'utf8');
  const blocks = pem.match(/-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g) ?? [];
  const key = blocks.find((b) => /PRIVATE KEY-----/.test(b));
  const [cert, ...cas] = blocks.filter((b) => b.startsWith('-----BEGIN CERTIFICATE-----'));
  if (key === undefined || cert === undefined || cas.length === 0) throw new Error(`${dataDir}/admin-identity.pem: not an identity file`);

  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://${authority}`, { key, cert, ca: cas });
    const timer = setTimeout(() => done(new Error(`no answer from ${authority} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    const done = (err: Error | undefined, detail = ''): void => {
      clearTimeout(timer);
      session.destroy();
      if (err) reject(err);
      else resolve(detail);
    };
    session.on('error', (err) => done(err));
    const call = session.request({ ':method': 'POST', ':path': '/gatehouse.v1.AccessService/Ping', 'content-type': 'application/grpc', te: 'trailers' });
    let status: string | undefined;
    const onHeaders = (headers: http2.IncomingHttpHeaders): void => {
      const value = headers['grpc-status'];
      if (typeof value === 'string') status = value;
    };
    call.on('response', onHeaders);
    call.on('trailers', onHeaders);
    call.on('error', (err) => done(err));
    call.resume();
    call.on('end', () => (status === '0' ? done(undefined, `Ping ${authority}: OK`) : done(new Error(`Ping ${authority}: grpc-status ${status ?? 'missing'}`))));
    // An empty PingRequest: uncompressed flag + zero length.
    call.end(Buffer.alloc(5));
  });
}

async function checkPlugin(): Promise<string> {
  let url = process.env.GATEHOUSE_HEALTH_URL;
  if (url === undefined) {
    const { parse } = await import('smol-toml');
    const configFile = process.env.GATEHOUSE_CONFIG ?? '/var/lib/gatehouse/plugin.toml';
    const config = parse(readFileSync(configFile, 'utf8')) as { http?: { listen_addr?: string; https_key_file?: string } };
    if (config.http === undefined) return `${configFile} has no [http] section: nothing to check`;
    const { host, port } = localHost(config.http.listen_addr ?? '0.0.0.0:8081');
    url = `${config.http.https_key_file ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`;
  }
  const target = url;
  return new Promise((resolve, reject) => {
    const get = target.startsWith('https:') ? https.get : http.get;
    const req = get(target, { timeout: TIMEOUT_MS, rejectUnauthorized: false }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve(`GET ${target}: 200`);
      else reject(new Error(`GET ${target}: HTTP ${res.statusCode ?? '?'}`));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${target}: no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}

(component === 'server' ? checkServer() : checkPlugin()).then(
  (detail) => {
    process.stdout.write(`healthy: ${detail}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    process.stdout.write(`unhealthy: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
