import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sleep } from './stats.ts';

/**
 * The floor under every durable write on this disk: latency of writing 8 KB into a preallocated
 * file and `fdatasync`-ing it (what every durable SQLite commit waits for: an fdatasync of the WAL), with a
 * pause between samples like the fan-out's spaced creates (virtual disks answer an isolated
 * sync more slowly than a steady stream). Measured in `dir`, the server's file system.
 */
export async function diskSyncLatencies(dir: string, samples: number, gapMs: number): Promise<number[]> {
  const file = path.join(dir, 'bench-fdatasync.bin');
  const block = Buffer.alloc(8192, 1);
  const slots = 128;
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < slots; i++) writeSync(fd, block, 0, block.length, i * block.length);
    fdatasyncSync(fd);
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      writeSync(fd, block, 0, block.length, (i % slots) * block.length);
      fdatasyncSync(fd);
      latencies.push(performance.now() - started);
      await sleep(gapMs);
    }
    return latencies;
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}
