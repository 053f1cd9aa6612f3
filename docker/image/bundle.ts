/**
 * Builds what one Gatehouse component runs in production: its entry point and everything it
 * imports (our TypeScript and its npm packages) as one ES module, plus the health check.
 *
 *   node docker/image/bundle.ts --component slack|server|... [--src .] --out DIR
 *
 * DIR then holds: main.mjs, healthcheck.mjs, entrypoint.sh and gatehouse/v1/gatehouse.proto
 * (read at run time by proto/load-proto.ts, relative to the module). No node_modules, no sources.
 *
 * Why a bundle rather than the .ts tree: Node then neither loads its TypeScript stripper nor keeps
 * the source of every file of every package in memory. The Slack plugin idles at about two thirds
 * of the RSS it needs when run from the .ts tree (`npm run bench slack` prints both).
 * Development and the tests run the .ts files directly; test/docker/bundle.test.ts runs the
 * bundles.
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Node flags the image starts a plugin with (docker/image/entrypoint.sh; the Slack bench uses the
 * same). A plugin waits on the network and allocates little, so it trades peak JS speed for
 * memory: a 1 MB young generation (~10 MB less idle RSS) and no optimizing compilers beyond
 * Sparkplug (Maglev and TurboFan kept ~30 MB of compiler memory after the first few hundred
 * requests). The Slack bench's created -> posted p99 did not change measurably. The server keeps
 * V8's defaults: it is the throughput path.
 */
export const PLUGIN_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--max-opt=1'];

/** The entry point of a component: `server` is the gatehouse CLI, anything else plugins/NAME. */
export function componentEntry(component: string, src = ROOT): string {
  if (!/^[a-z][a-z0-9-]*$/.test(component)) throw new Error(`component "${component}" is not a valid name`);
  const entry = component === 'server' ? 'core/cli/main.ts' : `plugins/${component}/main.ts`;
  if (!existsSync(path.join(src, entry))) throw new Error(`component "${component}": ${entry} does not exist`);
  return entry;
}

/** Where each output of {@link bundleComponent} is. */
export interface ComponentBundle {
  main: string;
  healthcheck: string;
}

/**
 * Bundles one component into `outDir` (main.mjs, healthcheck.mjs, entrypoint.sh, the proto).
 * Fails on anything esbuild cannot resolve, so a broken bundle fails the build, not production.
 */
export async function bundleComponent(component: string, outDir: string, src = ROOT): Promise<ComponentBundle> {
  const entry = componentEntry(component, src);
  mkdirSync(outDir, { recursive: true });
  const main = path.join(outDir, 'main.mjs');
  const healthcheck = path.join(outDir, 'healthcheck.mjs');
  await bundleEntry(path.join(src, entry), main);
  await bundleEntry(path.join(src, 'docker/image/healthcheck.ts'), healthcheck);
  cpSync(path.join(src, 'proto/gatehouse/v1/gatehouse.proto'), path.join(outDir, 'gatehouse/v1/gatehouse.proto'));
  cpSync(path.join(src, 'docker/image/entrypoint.sh'), path.join(outDir, 'entrypoint.sh'));
  return { main, healthcheck };
}

/** Bundles one entry file and everything it imports into the ES module `outfile`. */
export async function bundleEntry(entryFile: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entryFile],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // Whitespace and syntax only: identifiers keep their names, so stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    // CommonJS packages inside an ES module still call require() for Node's built-ins.
    banner: { js: "import { createRequire as __gatehouseCreateRequire } from 'node:module'; const require = __gatehouseCreateRequire(import.meta.url);" },
    // pg's optional native binding; pg falls back to its pure-JS client without it.
    external: ['pg-native'],
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { component: { type: 'string' }, src: { type: 'string', default: '.' }, out: { type: 'string' } },
    strict: true,
  });
  try {
    if (!values.component) throw new Error('--component is required');
    if (!values.out) throw new Error('--out is required');
    const out = path.resolve(values.out);
    const bundle = await bundleComponent(values.component, out, path.resolve(values.src ?? '.'));
    process.stdout.write(`bundle: ${values.component} -> ${path.relative(out, bundle.main)}, ${path.relative(out, bundle.healthcheck)}\n`);
  } catch (err) {
    process.stderr.write(`bundle: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
