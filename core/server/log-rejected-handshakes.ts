import type * as grpc from '@grpc/grpc-js';
import type { Socket } from 'node:net';
import { Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';

export interface RejectedHandshakeLogOptions {
  log: Logger;
  now: () => number;
  /** At most one line per peer address per window; later rejections are counted. @default 60000 */
  windowMs?: number;
  /** Addresses tracked at once; past that, rejections from new addresses are only counted. @default 10000 */
  maxPeers?: number;
}

/** Node's verify results (TLSSocket.authorizationError) that mean "not signed by our CA". */
const UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

/** A peer that goes away mid-handshake (a TCP probe, a client giving up): not a rejection. */
const PEER_LEFT = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * Why the server refused a handshake, in words, or undefined when it did not refuse it (the
 * peer left). A certificate that fails verification completes the TLS exchange and is then
 * dropped by Node, which reports it only as a hang-up: the reason is the socket's
 * `authorizationError`.
 */
export function describeRejection(err: Error & { code?: string }, authorizationError: string | undefined): string | undefined {
  if (authorizationError) {
    if (authorizationError === 'CERT_HAS_EXPIRED') return 'client certificate expired';
    if (authorizationError === 'CERT_NOT_YET_VALID') return 'client certificate not yet valid';
    if (UNKNOWN_CA.has(authorizationError)) return 'client certificate not issued by the cluster CA (unknown CA)';
    return `client certificate refused (${authorizationError})`;
  }
  if (err.code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE') return 'no client certificate';
  if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'TLS handshake timed out';
  if (err.code !== undefined && PEER_LEFT.has(err.code)) return undefined;
  return `TLS handshake failed (${err.code ?? err.message.slice(0, 200)})`;
}

interface PeerEntry {
  /** When the last line for this address was written. */
  loggedMs: number;
  suppressed: number;
}

/**
 * Logs the TLS handshakes a gRPC server rejects (no certificate, unknown CA, expired), with
 * the peer's address and the reason, at most one line per address per window plus a count of
 * the rejections it held back; so a misconfigured client is visible and a flood is not.
 *
 * grpc-js does not expose its TLS servers or their `tlsClientError` event: this reads its
 * private `http2Servers` map (grpc-js 1.14) after `bindAsync`. Should a grpc-js upgrade move
 * it, the server still rejects those handshakes; it says once that it cannot log them (and
 * the test of this fails). Returns `stop()`, which clears the summary timer.
 */
export function logRejectedHandshakes(server: grpc.Server, options: RejectedHandshakeLogOptions): { stop(): void } {
  const log = options.log.child({ component: 'tls' });
  const { now } = options;
  const windowMs = options.windowMs ?? 60_000;
  const maxPeers = options.maxPeers ?? 10_000;
  const tlsServers = secureServersOf(server);
  if (tlsServers.length === 0) {
    log.warn('cannot log rejected TLS handshakes: this grpc-js does not expose its TLS servers as 1.14 did');
    return { stop: () => undefined };
  }

  const peers = new Map<string, PeerEntry>();
  /** Rejections from addresses not tracked because `maxPeers` were. */
  let untracked = 0;
  let timer: NodeJS.Timeout | undefined;

  const summarize = (): void => {
    timer = undefined;
    const t = now();
    for (const [address, entry] of peers) {
      if (t - entry.loggedMs < windowMs) continue;
      if (entry.suppressed > 0) log.warn({ peer: address, suppressed: entry.suppressed }, 'rejected more TLS handshakes from this address');
      peers.delete(address);
    }
    if (untracked > 0) log.warn({ suppressed: untracked, trackedPeers: peers.size }, 'rejected TLS handshakes from too many addresses to log each');
    untracked = 0;
    if (peers.size > 0) arm();
  };
  const arm = (): void => {
    timer ??= setTimeout(summarize, windowMs);
    timer.unref();
  };

  const record = (address: string, port: number | undefined, reason: string, code: string | undefined): void => {
    const t = now();
    const entry = peers.get(address);
    if (entry && t - entry.loggedMs < windowMs) {
      entry.suppressed++;
      return;
    }
    if (!entry && peers.size >= maxPeers) {
      untracked++;
      arm();
      return;
    }
    const peer = port === undefined ? address : `${address}:${port}`;
    log.warn({ peer, reason, ...(code ? { code } : {}), ...(entry?.suppressed ? { suppressed: entry.suppressed } : {}) }, 'rejected a TLS handshake');
    peers.set(address, { loggedMs: t, suppressed: 0 });
    arm();
  };

  // The address is read when the TCP connection arrives: Node destroys a socket whose
  // certificate failed verification before telling anyone, and a destroyed socket has none.
  const addresses = new WeakMap<object, { address: string; port: number | undefined }>();
  for (const tls of tlsServers) {
    tls.on('connection', (raw: Socket) => {
      if (raw.remoteAddress !== undefined) addresses.set(raw, { address: raw.remoteAddress, port: raw.remotePort });
    });
    tls.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
      // A string code at run time (typed as an Error); null when verification did not run.
      const verify = socket.authorizationError ? String(socket.authorizationError) : undefined;
      const reason = describeRejection(err, verify);
      if (reason === undefined) return;
      // The TLS socket wraps the TCP one as `_parent` (an internal of node:tls).
      const raw: unknown = Reflect.get(socket, '_parent');
      const from = (typeof raw === 'object' && raw !== null ? addresses.get(raw) : undefined) ?? { address: socket.remoteAddress ?? 'unknown', port: socket.remotePort };
      record(from.address, from.port, reason, verify ?? err.code);
    });
  }
  return {
    stop: () => {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** The TLS servers grpc-js made for `server`'s secure ports (an internal of grpc-js 1.14). */
function secureServersOf(server: grpc.Server): TlsServer[] {
  const servers: unknown = Reflect.get(server, 'http2Servers');
  if (!(servers instanceof Map)) return [];
  return [...servers.keys()].filter((s): s is TlsServer => s instanceof TlsServer);
}
