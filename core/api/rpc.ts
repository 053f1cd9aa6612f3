import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { AppError } from '../domain/app-error.ts';
import type { AuthenticatedCall, Caller } from './authenticate.ts';
import { checkWire } from './check-wire.ts';
import { clipStatusMessage } from './clip-status-message.ts';
import { GRPC_STATUS_BY_CODE } from './to-grpc-status.ts';
import { requestSchemaOf, type MessageSchema } from './wire-schema.ts';

/** Marks a request message that could not be decoded (see `tolerantDefinition`). */
export const MALFORMED = Symbol('malformed');

interface MalformedMessage {
  [MALFORMED]: string;
}

/**
 * Throws INVALID_ARGUMENT naming the RPC and the decoder's reason when `request` is the marker
 * that `tolerantDefinition` left for bytes it refused; handlers call it before anything else.
 */
export function rejectMalformed(method: string, request: unknown): void {
  if (typeof request === 'object' && request !== null && MALFORMED in request) {
    throw new AppError('invalid_argument', `malformed ${method} request: ${String((request as MalformedMessage)[MALFORMED])}`);
  }
}

/**
 * Copies a service definition so that request bytes are checked strictly (`checkWire`) before
 * protobufjs decodes them, and refused or undecodable bytes become a marker object instead of
 * grpc-js's generic INTERNAL status; the handler then answers INVALID_ARGUMENT with the reason
 * (see `rejectMalformed`).
 *
 * @param schemas every message type of the API, from `compileWireSchemas`.
 * @throws Error at start when a method's request type has no schema.
 */
export function tolerantDefinition<T extends grpc.ServiceDefinition>(definition: T, schemas: ReadonlyMap<string, MessageSchema>): T {
  const copy: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition)) {
    const schema = requestSchemaOf(name, method, schemas);
    const decode = method.requestDeserialize;
    copy[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        const fault = checkWire(bytes, schema);
        if (fault !== undefined) return malformed(fault);
        try {
          return decode(bytes);
        } catch (err) {
          return malformed(err instanceof Error ? err.message : String(err));
        }
      },
    };
  }
  return copy as grpc.ServiceDefinition as T;
}

function malformed(reason: string): MalformedMessage {
  return { [MALFORMED]: reason };
}

export interface RpcRuntime {
  authenticate: (call: AuthenticatedCall) => Promise<Caller>;
  log: Logger;
  /** Called once per finished RPC (metrics). */
  observe?: (method: string, code: string, seconds: number) => void;
}

/**
 * Converts anything thrown into a gRPC status object; the cause is logged, never sent. The
 * message is bounded (`clipStatusMessage`) whatever input it quotes.
 */
export function toStatus(err: unknown): { code: grpc.status; details: string; appError: AppError } {
  const appError = AppError.from(err);
  return { code: GRPC_STATUS_BY_CODE[appError.code], details: clipStatusMessage(appError.message), appError };
}

function peerOf(call: { getPeer(): string }): string {
  try {
    return call.getPeer();
  } catch {
    return 'unknown';
  }
}

/**
 * Wraps a handler: rejects malformed messages, authenticates the caller, maps errors to
 * status codes and logs one line per RPC (method, code, duration, peer, user).
 */
export function unary<Req, Res>(
  rt: RpcRuntime,
  method: string,
  handle: (request: Req, caller: Caller) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const started = performance.now();
    let user = '';
    const run = async (): Promise<Res> => {
      rejectMalformed(method, call.request);
      const caller = await rt.authenticate(call);
      user = caller.name;
      return handle(call.request, caller);
    };
    run().then(
      (response) => {
        callback(null, response);
        finish(rt, method, 'OK', started, peerOf(call), user);
      },
      (err: unknown) => {
        const st = toStatus(err);
        callback({ code: st.code, details: st.details });
        finish(rt, method, grpc.status[st.code], started, peerOf(call), user, st.appError);
      },
    );
  };
}

/** Like `unary` but without a client certificate (the enrollment listener). */
export function anonymousUnary<Req, Res>(rt: RpcRuntime, method: string, handle: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const started = performance.now();
    const run = async (): Promise<Res> => {
      rejectMalformed(method, call.request);
      return handle(call.request);
    };
    run().then(
      (response) => {
        callback(null, response);
        finish(rt, method, 'OK', started, peerOf(call), '');
      },
      (err: unknown) => {
        const st = toStatus(err);
        callback({ code: st.code, details: st.details });
        finish(rt, method, grpc.status[st.code], started, peerOf(call), '', st.appError);
      },
    );
  };
}

export function finish(rt: RpcRuntime, method: string, code: string, started: number, peer: string, user: string, err?: AppError): void {
  const seconds = (performance.now() - started) / 1000;
  rt.observe?.(method, code, seconds);
  const line = { method, code, ms: Math.round(seconds * 1000 * 100) / 100, peer, user };
  if (err?.code === 'internal') rt.log.error({ ...line, err: err.cause ?? err }, 'rpc failed');
  else if (err) rt.log.info({ ...line, reason: clipStatusMessage(err.message) }, 'rpc');
  else rt.log.info(line, 'rpc');
}
