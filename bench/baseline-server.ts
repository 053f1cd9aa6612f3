/**
 * The bare grpc-js baseline: the same mutual TLS (ECDSA P-256, client certificates required),
 * a unary echo, and a server-streaming fan-out where `Publish` writes its payload to every open
 * `Subscribe` stream. No store, no authorization, no encoding beyond the bytes.
 * Run as a child process: `node bench/baseline-server.ts PORT CERTDIR`; prints "ready".
 */
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [portArg, dir] = process.argv.slice(2);
if (!portArg || !dir) throw new Error('usage: baseline-server.ts PORT CERTDIR');
const id = (b: Buffer): Buffer => b;
const method = (name: string, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> => ({
  path: `/bench.Baseline/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: id,
  requestDeserialize: id,
  responseSerialize: id,
  responseDeserialize: id,
});
const definition = { Echo: method('Echo', false), Publish: method('Publish', false), Subscribe: method('Subscribe', true) };
const subscribers = new Set<grpc.ServerWritableStream<Buffer, Buffer>>();
const server = new grpc.Server();
server.addService(definition, {
  Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request),
  Publish: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
    for (const s of subscribers) s.write(call.request);
    cb(null, Buffer.alloc(0));
  },
  Subscribe: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
    subscribers.add(call);
    call.write(Buffer.from('init'));
    call.on('cancelled', () => subscribers.delete(call));
  },
});
const read = (f: string): Buffer => readFileSync(path.join(dir, f));
const creds = grpc.ServerCredentials.createSsl(read('ca.crt'), [{ private_key: read('server.key'), cert_chain: read('server.crt') }], true);
server.bindAsync(`127.0.0.1:${portArg}`, creds, (err) => {
  if (err) throw err;
  process.stdout.write('ready\n');
});
process.on('SIGTERM', () => server.forceShutdown());
