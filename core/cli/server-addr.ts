import { UsageError } from './cli-error.ts';

/** The API port when an address names none (and the invite port is the one after it). */
export const DEFAULT_PORT = 3025;
export const DEFAULT_ADDR = `127.0.0.1:${DEFAULT_PORT}`;

/** A server address split into its parts. */
export interface ServerAddr {
  host: string;
  port: number;
  /** `host:port`, IPv6 hosts in brackets: what grpc-js dials. */
  text: string;
}

/**
 * Parses `HOST:PORT`, `HOST` (port 3025, not the 443 grpc-js would pick), `[::1]:PORT` or a
 * bare IPv6 address.
 *
 * @param flag names the input in errors (`--addr`, `GATEHOUSE_ADDR`).
 * @throws UsageError for a URL, an empty host or a port that is not 1-65535.
 */
export function parseServerAddr(value: string, flag: string): ServerAddr {
  const s = value.trim();
  if (s.includes('://')) throw new UsageError(`${flag}: expected HOST:PORT, not a URL (${JSON.stringify(value)})`);
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(s);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if (s.split(':').length > 2) {
    host = s; // a bare IPv6 address: it cannot carry a port without brackets
  } else {
    const i = s.lastIndexOf(':');
    host = i < 0 ? s : s.slice(0, i);
    portText = i < 0 ? undefined : s.slice(i + 1);
  }
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!host || !/^\d+$/.test(portText ?? '1') || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${flag}: expected HOST:PORT with a port from 1 to 65535, not ${JSON.stringify(value)}`);
  }
  return { host, port, text: `${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/** The same host at another port. */
export function withPort(addr: ServerAddr, port: number): ServerAddr {
  return { host: addr.host, port, text: `${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${port}` };
}
