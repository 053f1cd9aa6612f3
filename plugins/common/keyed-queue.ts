export interface KeyedQueueOptions {
  /** Most tasks running at once, across keys. @default 64 */
  concurrency?: number;
  /** Called with an error a task threw (tasks are expected to handle their own). */
  onError: (err: unknown, key: string) => void;
}

type Task = () => Promise<void>;

/**
 * Runs tasks one at a time per key, in the order they were pushed, and different keys
 * concurrently up to a global bound. A key waits in the ready list while the bound is full;
 * no task for a key starts before the previous one for that key has finished (unlike the
 * reference, which may overlap the last task of a key with a new one).
 */
export class KeyedQueue {
  readonly #concurrency: number;
  readonly #onError: (err: unknown, key: string) => void;
  /** Pending tasks per key; a key is present while it has pending or running work. */
  readonly #pending = new Map<string, Task[]>();
  readonly #running = new Set<string>();
  /** Keys with pending tasks and nothing running, in arrival order. */
  readonly #ready: string[] = [];
  #idleWaiters: Array<() => void> = [];
  #size = 0;

  constructor(options: KeyedQueueOptions) {
    this.#concurrency = options.concurrency ?? 64;
    this.#onError = options.onError;
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.#size;
  }

  push(key: string, task: Task): void {
    this.#size++;
    const queue = this.#pending.get(key);
    if (queue !== undefined) {
      queue.push(task);
      return;
    }
    this.#pending.set(key, [task]);
    this.#ready.push(key);
    this.#pump();
  }

  /** Resolves when no task is queued or running. */
  idle(): Promise<void> {
    if (this.#size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    while (this.#running.size < this.#concurrency && this.#ready.length > 0) {
      const key = this.#ready.shift()!;
      const queue = this.#pending.get(key);
      const task = queue?.shift();
      if (task === undefined) continue;
      this.#running.add(key);
      void this.#run(key, task);
    }
  }

  async #run(key: string, task: Task): Promise<void> {
    try {
      await task();
    } catch (err) {
      this.#onError(err, key);
    }
    this.#running.delete(key);
    this.#size--;
    const queue = this.#pending.get(key);
    if (queue === undefined || queue.length === 0) this.#pending.delete(key);
    else this.#ready.push(key);
    this.#pump();
    if (this.#size === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
