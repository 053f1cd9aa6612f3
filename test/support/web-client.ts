import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { readIdentityFile } from '../../core/auth/identity-file.ts';

export interface WebResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface RawOptions {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** A client certificate to present (gatehouse web login). */
  identity?: { keyPem: string; certPem: string };
}

/** One HTTPS request to the console, trusting the cluster CA. */
export function rawWebRequest(webAddr: string, caPem: string, options: RawOptions): Promise<WebResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `https://${webAddr}${options.path}`,
      {
        method: options.method,
        ca: caPem,
        headers: { ...(options.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(options.body)) } : {}), ...options.headers },
        ...(options.identity ? { key: options.identity.keyPem, cert: options.identity.certPem } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Asks for a sign-in link with the identity file's certificate; returns the token. */
export async function loginToken(webAddr: string, caPem: string, identityPath: string): Promise<string> {
  const identity = await readIdentityFile(identityPath);
  const res = await rawWebRequest(webAddr, caPem, { method: 'POST', path: '/web/api/login-links', identity, body: '' });
  if (res.status !== 200) throw new Error(`login link: HTTP ${res.status} ${res.body}`);
  const url = (JSON.parse(res.body) as { url: string }).url;
  return url.slice(url.lastIndexOf('/') + 1).split('?')[0] ?? '';
}

/** A browser-like client of the console: keeps the session cookie, reads the CSRF token. */
export class WebClient {
  readonly webAddr: string;
  readonly caPem: string;
  cookie = '';

  constructor(webAddr: string, caPem: string) {
    this.webAddr = webAddr;
    this.caPem = caPem;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<WebResponse> {
    return rawWebRequest(this.webAddr, this.caPem, { method: 'GET', path, headers: { ...this.#cookieHeader(), ...headers } });
  }

  /** A form post as a same-origin browser sends it. */
  post(path: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<WebResponse> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return rawWebRequest(this.webAddr, this.caPem, {
      method: 'POST',
      path,
      body: body.toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: `https://${this.webAddr}`, 'Sec-Fetch-Site': 'same-origin', ...this.#cookieHeader(), ...headers },
    });
  }

  /** Signs in with a fresh link for the identity file; returns the Set-Cookie header. */
  async signIn(identityPath: string): Promise<string> {
    const token = await loginToken(this.webAddr, this.caPem, identityPath);
    const res = await this.post('/web/login', { token });
    const setCookie = res.headers['set-cookie']?.[0] ?? '';
    if (res.status !== 303 || !setCookie) throw new Error(`sign-in: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    this.cookie = setCookie.split(';')[0] ?? '';
    return setCookie;
  }

  /** The CSRF token of the signed-in session, read from a page's sign-out form. */
  async csrf(): Promise<string> {
    const page = await this.get('/web/requests');
    const m = /name="_csrf" value="([^"]+)"/.exec(page.body);
    if (!m?.[1]) throw new Error(`no CSRF token on the page (HTTP ${page.status})`);
    return m[1];
  }

  #cookieHeader(): Record<string, string> {
    return this.cookie ? { Cookie: this.cookie } : {};
  }
}
