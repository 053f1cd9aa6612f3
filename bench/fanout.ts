/**
 * Fan-out to watch streams for the core bench: Gatehouse watchers and bare subscribers opened
 * alike, and one event at a time timed from its create (or publish) to each stream's arrival.
 */
import type * as grpc from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { GatehouseClient, SERVER_NAME, type ClientIdentity } from '../core/client/gatehouse-client.ts';
import type { Event__Output } from '../proto/gen/gatehouse/v1/Event.ts';
import { loadGatehouseProto } from '../proto/load-proto.ts';
import { CONNECTION_OPTIONS, id, type Baseline } from './baseline-client.ts';
import { sleep } from './stats.ts';

const WATCH_EVENTS = '/gatehouse.v1.AccessService/WatchEvents';
const decodeEvent = loadGatehouseProto().gatehouse.v1.AccessService.service.WatchEvents.responseDeserialize as (bytes: Buffer) => Event__Output;

/**
 * Opens `n` watch streams spread over `connections` connections; resolves when every INIT (each
 * stream's first message) arrived. `onMessage` gets each later message's bytes as they arrive,
 * undecoded, as the bare stream's subscribers get theirs: one bench process plays every watcher,
 * so decoding on arrival would make the hundredth watcher wait for 99 decodes that real
 * watchers, each in its own process, do side by side.
 */
export async function openWatchers(addr: string, identity: ClientIdentity, n: number, connections: number, onMessage: (bytes: Buffer, at: number) => void) {
  const clients = Array.from({ length: connections }, (_, i) => new GatehouseClient({ addr, identity, channelOptions: { ...CONNECTION_OPTIONS(1000 + i), 'grpc.default_authority': SERVER_NAME } }));
  // An empty WatchEventsRequest: every access request event.
  const streams = await openStreams(n, (i) => clients[i % connections]!.raw.makeServerStreamRequest(WATCH_EVENTS, id, id, Buffer.alloc(0)), onMessage);
  return {
    close: () => {
      streams.close();
      for (const c of clients) c.close();
    },
  };
}

/**
 * Opens `n` server streams with `open(i)`; resolves once each has its first message (INIT, or
 * the bare stream's "init"), handing every later message to `onMessage` as it arrives.
 */
async function openStreams(n: number, open: (i: number) => grpc.ClientReadableStream<Buffer>, onMessage: (bytes: Buffer, at: number) => void): Promise<{ close(): void }> {
  const streams: grpc.ClientReadableStream<Buffer>[] = [];
  let inits = 0;
  for (let i = 0; i < n; i++) {
    const s = open(i);
    let first = true;
    s.on('data', (bytes: Buffer) => {
      const at = performance.now();
      if (first) {
        first = false;
        inits++;
      } else onMessage(bytes, at);
    });
    s.on('error', () => undefined);
    streams.push(s);
    if (i % 500 === 499) await sleep(20);
  }
  const deadline = Date.now() + 120_000;
  while (inits < n) {
    if (Date.now() > deadline) throw new Error(`only ${inits}/${n} streams got their first message`);
    await sleep(20);
  }
  return { close: () => streams.forEach((s) => s.cancel()) };
}

/**
 * Messages as they arrive, with their arrival times. `take(n)` waits until `n` are in, woken by
 * the arrival itself: polling with setImmediate would keep one of the machine's two cores busy
 * in this process, the core the server under test needs.
 */
class Arrivals {
  #items: Array<{ bytes: Buffer; at: number }> = [];
  #waiter: { n: number; wake: () => void } | undefined;

  add(bytes: Buffer, at: number): void {
    this.#items.push({ bytes, at });
    if (this.#waiter && this.#items.length >= this.#waiter.n) this.#waiter.wake();
  }

  /** The first `n` messages (removed), once they are in; throws after 30 s. */
  async take(n: number, what: string): Promise<Array<{ bytes: Buffer; at: number }>> {
    if (this.#items.length < n) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve, reject) => {
        this.#waiter = { n, wake: resolve };
        timer = setTimeout(() => reject(new Error(`${what}: ${this.#items.length}/${n} arrived in 30 s`)), 30_000);
      }).finally(() => {
        clearTimeout(timer);
        this.#waiter = undefined;
      });
    }
    return this.#items.splice(0, n);
  }
}

/** One side of the latency measurement: `once()` makes one event and returns its delivery times. */
export interface Fanout {
  once(): Promise<number[]>;
  close(): Promise<void>;
}

/** `n` Gatehouse watchers; each `once()` creates a request and times its delivery to all. */
export async function gatehouseFanout(addr: string, watcher: ClientIdentity, alice: GatehouseClient, n: number): Promise<Fanout> {
  const received = new Arrivals();
  const w = await openWatchers(addr, watcher, n, Math.min(n, 20), (bytes, at) => received.add(bytes, at));
  let i = 0;
  return {
    once: async () => {
      const t0 = performance.now();
      const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: `bench ${i++}` });
      const arrivals: number[] = [];
      // The bytes of this create's event once one copy has been decoded and checked: every
      // watcher gets the same bytes (the hub encodes once), so the other copies are compared,
      // not decoded. Decoding each of them made a hundred times the garbage the bare side
      // makes, and the collections that followed landed in the next creates' timings.
      let expected: Buffer | undefined;
      while (arrivals.length < n) {
        // Checked only once every watcher has its copy, so checking delays no arrival.
        for (const { bytes, at } of await received.take(n - arrivals.length, `delivery of ${r.id}`)) {
          if (expected?.equals(bytes)) {
            arrivals.push(at - t0);
            continue;
          }
          const e = decodeEvent(bytes);
          if (e.type === 'PUT' && e.name === r.id && e.request?.state === 'PENDING') {
            expected = bytes;
            arrivals.push(at - t0);
          }
        }
      }
      return arrivals;
    },
    close: async () => {
      w.close();
      // Let the server finish tearing those connections down before the next phase starts, so
      // one phase's teardown is not measured as the next phase's latency. (Disconnects under
      // load are what bench/disconnect-stress.ts exercises.)
      await sleep(1000);
    },
  };
}

/** Opens `n` bare Subscribe streams over `connections` connections, like openWatchers. */
export function openBareSubscribers(b: Baseline, n: number, connections: number, onMessage: (bytes: Buffer, at: number) => void = () => undefined): Promise<{ close(): void }> {
  return openStreams(n, (i) => b.client(5000 + (i % connections)).makeServerStreamRequest('/bench.Baseline/Subscribe', id, id, Buffer.alloc(0)), onMessage);
}

/** `n` bare subscribers; each `once()` publishes a payload and times its delivery to all. */
export async function baselineFanout(b: Baseline, n: number, payloadSize: number): Promise<Fanout> {
  const received = new Arrivals();
  const subscribers = await openBareSubscribers(b, n, Math.min(n, 20), (bytes, at) => received.add(bytes, at));
  let i = 0;
  return {
    once: async () => {
      const k = i++;
      const payload = Buffer.alloc(payloadSize, 7);
      payload.writeUInt32BE(k, 0);
      const t0 = performance.now();
      await b.publish(payload);
      return (await received.take(n, `publish ${k}`)).map(({ bytes, at }) => {
        if (bytes.readUInt32BE(0) !== k) throw new Error(`publish ${k}: a subscriber got message ${bytes.readUInt32BE(0)}`);
        return at - t0;
      });
    },
    close: async () => {
      subscribers.close();
      await sleep(1000);
    },
  };
}
