import * as grpc from '@grpc/grpc-js';
import { loadGatehouseProto } from '../../proto/load-proto.ts';
import { installGracefulCloseGuard } from '../api/http2-graceful-close.ts';
import type { AccessServiceClient } from '../../proto/gen/gatehouse/v1/AccessService.ts';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import type { ApplyRolesResponse__Output } from '../../proto/gen/gatehouse/v1/ApplyRolesResponse.ts';
import type { CreateAccessRequestRequest } from '../../proto/gen/gatehouse/v1/CreateAccessRequestRequest.ts';
import type { Event__Output } from '../../proto/gen/gatehouse/v1/Event.ts';
import type { GenerateUserCertsRequest } from '../../proto/gen/gatehouse/v1/GenerateUserCertsRequest.ts';
import type { GenerateUserCertsResponse__Output } from '../../proto/gen/gatehouse/v1/GenerateUserCertsResponse.ts';
import type { GetPluginDataResponse__Output } from '../../proto/gen/gatehouse/v1/GetPluginDataResponse.ts';
import type { ListAccessRequestsRequest } from '../../proto/gen/gatehouse/v1/ListAccessRequestsRequest.ts';
import type { ListAccessRequestsResponse__Output } from '../../proto/gen/gatehouse/v1/ListAccessRequestsResponse.ts';
import type { PingResponse__Output } from '../../proto/gen/gatehouse/v1/PingResponse.ts';
import type { Role__Output } from '../../proto/gen/gatehouse/v1/Role.ts';
import type { SearchAuditEventsRequest } from '../../proto/gen/gatehouse/v1/SearchAuditEventsRequest.ts';
import type { SearchAuditEventsResponse__Output } from '../../proto/gen/gatehouse/v1/SearchAuditEventsResponse.ts';
import type { SetAccessRequestStateRequest } from '../../proto/gen/gatehouse/v1/SetAccessRequestStateRequest.ts';
import type { SubmitAccessReviewRequest } from '../../proto/gen/gatehouse/v1/SubmitAccessReviewRequest.ts';
import type { UpdatePluginDataRequest } from '../../proto/gen/gatehouse/v1/UpdatePluginDataRequest.ts';
import type { UpdatePluginDataResponse__Output } from '../../proto/gen/gatehouse/v1/UpdatePluginDataResponse.ts';
import type { ListUsersResponse__Output } from '../../proto/gen/gatehouse/v1/ListUsersResponse.ts';
import type { ListRolesResponse__Output } from '../../proto/gen/gatehouse/v1/ListRolesResponse.ts';
import type { UpsertUserRequest } from '../../proto/gen/gatehouse/v1/UpsertUserRequest.ts';
import type { UpsertUserResponse__Output } from '../../proto/gen/gatehouse/v1/UpsertUserResponse.ts';
import type { User__Output } from '../../proto/gen/gatehouse/v1/User.ts';
import type { WatchEventsRequest } from '../../proto/gen/gatehouse/v1/WatchEventsRequest.ts';
import { GatehouseError } from './client-error.ts';

/** The name every Gatehouse server certificate carries; clients verify against it, whatever address they dial. */
export const SERVER_NAME = 'gatehouse.cluster.local';

/** PEM material of an identity file. */
export interface ClientIdentity {
  keyPem: string;
  certPem: string;
  caPems: readonly string[];
}

export interface GatehouseClientOptions {
  /** `host:port` of the server. */
  addr: string;
  identity: ClientIdentity;
  /** Per-call deadline. @default 30000 */
  timeoutMs?: number;
  /** Extra grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
}

/** A server stream of watch events; iterate it with `for await`, stop it with `cancel()`. */
export type EventStream = grpc.ClientReadableStream<Event__Output>;

/**
 * The typed, promise-based Gatehouse client used by the CLI, the plugins and the tests.
 * Errors are GatehouseError (gRPC status name + server message).
 */
export class GatehouseClient {
  readonly addr: string;
  readonly raw: AccessServiceClient;
  readonly #timeoutMs: number;

  constructor(options: GatehouseClientOptions) {
    installGracefulCloseGuard();
    const proto = loadGatehouseProto();
    const { identity } = options;
    const credentials = grpc.credentials.createSsl(
      Buffer.from(identity.caPems.join('\n')),
      Buffer.from(identity.keyPem),
      Buffer.from(identity.certPem),
    );
    this.addr = options.addr;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.raw = new proto.gatehouse.v1.AccessService(options.addr, credentials, {
      'grpc.ssl_target_name_override': SERVER_NAME,
      'grpc.default_authority': SERVER_NAME,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      ...options.channelOptions,
    });
  }

  #options(): grpc.CallOptions {
    return { deadline: Date.now() + this.#timeoutMs };
  }

  #call<T>(invoke: (options: grpc.CallOptions, callback: grpc.requestCallback<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      invoke(this.#options(), (err, value) => {
        if (err) reject(GatehouseError.from(err));
        else if (value === undefined) reject(new GatehouseError('INTERNAL', 'empty response'));
        else resolve(value);
      });
    });
  }

  ping(): Promise<PingResponse__Output> {
    return this.#call((o, cb) => this.raw.ping({}, o, cb));
  }
  createAccessRequest(req: CreateAccessRequestRequest): Promise<AccessRequest__Output> {
    return this.#call((o, cb) => this.raw.createAccessRequest(req, o, cb));
  }
  getAccessRequest(id: string): Promise<AccessRequest__Output> {
    return this.#call((o, cb) => this.raw.getAccessRequest({ id }, o, cb));
  }
  listAccessRequests(req: ListAccessRequestsRequest = {}): Promise<ListAccessRequestsResponse__Output> {
    return this.#call((o, cb) => this.raw.listAccessRequests(req, o, cb));
  }
  /** Lists every matching request, following pages. */
  async listAllAccessRequests(req: Omit<ListAccessRequestsRequest, 'pageToken'> = {}): Promise<AccessRequest__Output[]> {
    const all: AccessRequest__Output[] = [];
    let pageToken = '';
    do {
      const page = await this.listAccessRequests({ ...req, pageSize: req.pageSize ?? 500, pageToken });
      all.push(...page.requests);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return all;
  }
  submitAccessReview(req: SubmitAccessReviewRequest): Promise<AccessRequest__Output> {
    return this.#call((o, cb) => this.raw.submitAccessReview(req, o, cb));
  }
  setAccessRequestState(req: SetAccessRequestStateRequest): Promise<AccessRequest__Output> {
    return this.#call((o, cb) => this.raw.setAccessRequestState(req, o, cb));
  }
  async deleteAccessRequest(id: string): Promise<void> {
    await this.#call((o, cb) => this.raw.deleteAccessRequest({ id }, o, cb));
  }
  /**
   * Opens the event stream; no deadline. The first event is INIT: with the newest position, or
   * with `since` when resuming, in which case the missed events and then CAUGHT_UP follow.
   */
  watchEvents(req: WatchEventsRequest = {}): EventStream {
    return this.raw.watchEvents(req);
  }
  getPluginData(requestId: string, plugin = ''): Promise<GetPluginDataResponse__Output> {
    return this.#call((o, cb) => this.raw.getPluginData({ requestId, plugin }, o, cb));
  }
  /** Compare-and-swap; a mismatch rejects with code ABORTED. Returns the entry after the update. */
  async updatePluginData(req: UpdatePluginDataRequest): Promise<Record<string, string>> {
    const res = await this.#call<UpdatePluginDataResponse__Output>((o, cb) => this.raw.updatePluginData(req, o, cb));
    return res.data;
  }
  upsertUser(req: UpsertUserRequest): Promise<UpsertUserResponse__Output> {
    return this.#call((o, cb) => this.raw.upsertUser(req, o, cb));
  }
  getUser(name: string): Promise<User__Output> {
    return this.#call((o, cb) => this.raw.getUser({ name }, o, cb));
  }
  async listUsers(): Promise<User__Output[]> {
    return (await this.#call<ListUsersResponse__Output>((o, cb) => this.raw.listUsers({}, o, cb))).users;
  }
  async deleteUser(name: string): Promise<void> {
    await this.#call((o, cb) => this.raw.deleteUser({ name }, o, cb));
  }
  applyRoles(yaml: string, source = ''): Promise<ApplyRolesResponse__Output> {
    return this.#call((o, cb) => this.raw.applyRoles({ yaml, source }, o, cb));
  }
  getRole(name: string): Promise<Role__Output> {
    return this.#call((o, cb) => this.raw.getRole({ name }, o, cb));
  }
  async listRoles(): Promise<Role__Output[]> {
    return (await this.#call<ListRolesResponse__Output>((o, cb) => this.raw.listRoles({}, o, cb))).roles;
  }
  async deleteRole(name: string): Promise<void> {
    await this.#call((o, cb) => this.raw.deleteRole({ name }, o, cb));
  }
  generateUserCerts(req: GenerateUserCertsRequest): Promise<GenerateUserCertsResponse__Output> {
    return this.#call((o, cb) => this.raw.generateUserCerts(req, o, cb));
  }
  searchAuditEvents(req: SearchAuditEventsRequest = {}): Promise<SearchAuditEventsResponse__Output> {
    return this.#call((o, cb) => this.raw.searchAuditEvents(req, o, cb));
  }
  /** Waits until the channel is connected (or the deadline passes). */
  waitForReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.raw.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(GatehouseError.from(err)) : resolve()));
    });
  }
  /** Idempotent. */
  close(): void {
    this.raw.close();
  }
}
