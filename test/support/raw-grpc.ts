import * as grpc from '@grpc/grpc-js';
import { GATEHOUSE_SERVER_NAME } from '../../core/auth/tls-material.ts';
import type { TestServer } from './test-server.ts';

/** What a raw call got back: the status, and the response bytes if any. */
export interface RawAnswer {
  code: grpc.status;
  details: string;
  /** Response messages (one for a unary OK; the first for a stream cut short by `firstOnly`). */
  messages: Buffer[];
  /** Size of the status trailers as sent: `grpc-message` (percent-encoded) plus other metadata. */
  trailerBytes: number;
}

export interface RawCallOptions {
  /** @default 5000 */
  timeoutMs?: number;
  /** Streams: cancel after the first message and answer OK (a live watch never ends by itself). */
  firstOnly?: boolean;
}

/**
 * A grpc-js client that sends hand-made bytes (identity serializer: Buffer in, Buffer out), so a
 * test can say what the generated client cannot: truncated fields, bad wire types, bad UTF-8.
 */
export interface RawChannel {
  unary(method: string, payload: Buffer, options?: RawCallOptions): Promise<RawAnswer>;
  serverStream(method: string, payload: Buffer, options?: RawCallOptions): Promise<RawAnswer>;
  close(): void;
}

const identity = (b: Buffer): Buffer => b;

/**
 * Opens a raw channel to the test server: the mTLS AccessService as admin, or the enrollment
 * listener (EnrollService, server-authenticated TLS only).
 */
export function openRawChannel(t: TestServer, service: 'AccessService' | 'EnrollService'): RawChannel {
  const ca = Buffer.from(t.adminIdentity.caPems.join('\n'));
  const creds =
    service === 'AccessService'
      ? grpc.credentials.createSsl(ca, Buffer.from(t.adminIdentity.keyPem), Buffer.from(t.adminIdentity.certPem))
      : grpc.credentials.createSsl(ca);
  const addr = service === 'AccessService' ? t.addr : t.server.enrollAddr;
  const client = new grpc.Client(addr, creds, { 'grpc.ssl_target_name_override': GATEHOUSE_SERVER_NAME });
  const pathOf = (method: string): string => `/gatehouse.v1.${service}/${method}`;
  const deadline = (options: RawCallOptions): number => Date.now() + (options.timeoutMs ?? 5000);

  return {
    unary: (method, payload, options = {}) =>
      new Promise((resolve) => {
        client.makeUnaryRequest(pathOf(method), identity, identity, payload, { deadline: deadline(options) }, (err, response) => {
          if (err) resolve(answerOf(err, []));
          else resolve({ code: grpc.status.OK, details: '', messages: response ? [response] : [], trailerBytes: 0 });
        });
      }),
    serverStream: (method, payload, options = {}) =>
      new Promise((resolve) => {
        const messages: Buffer[] = [];
        let cut = false;
        const call = client.makeServerStreamRequest(pathOf(method), identity, identity, payload, { deadline: deadline(options) });
        call.on('data', (chunk: Buffer) => {
          messages.push(chunk);
          if (options.firstOnly && !cut) {
            cut = true;
            call.cancel();
          }
        });
        call.on('error', (err: grpc.ServiceError) => {
          if (cut && err.code === grpc.status.CANCELLED) resolve({ code: grpc.status.OK, details: '', messages, trailerBytes: 0 });
          else resolve(answerOf(err, messages));
        });
        call.on('end', () => resolve({ code: grpc.status.OK, details: '', messages, trailerBytes: 0 }));
      }),
    close: () => client.close(),
  };
}

function answerOf(err: grpc.ServiceError, messages: Buffer[]): RawAnswer {
  let trailerBytes = Buffer.byteLength(encodeURI(err.details));
  for (const [key, values] of Object.entries(err.metadata?.getMap() ?? {})) {
    trailerBytes += key.length + (Buffer.isBuffer(values) ? values.length : Buffer.byteLength(String(values)));
  }
  return { code: err.code, details: err.details, messages, trailerBytes };
}
