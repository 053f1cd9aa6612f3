/**
 * Build helper for Dockerfile.plugin (runs in the image's build stage, not at run time).
 *
 *   node docker/image/collect-runtime.ts --component slack|server|... --src /src --out /out
 *
 * Copies into OUT/app exactly what one component needs at run time:
 * - the source files reachable from its entry point through relative imports (a plugin gets the
 *   parts of core/ it imports, never core/server or core/store), plus the whole plugin folder,
 *   plugins/common and proto/ (gatehouse.proto is read at run time, not imported);
 * - the npm packages those files import and their dependency closure, resolved with the
 *   node_modules layout npm ci produced (so the slack image carries no pg, jira.js or gitbeaker);
 * - package.json (for "type": "module") and docker/image/{entrypoint.sh,healthcheck.ts}.
 *
 * Fails loudly on an import it cannot follow (a non-literal dynamic import, a missing file or
 * package) so a pruned image never breaks at run time instead of at build time.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { component: { type: 'string' }, src: { type: 'string', default: '.' }, out: { type: 'string' } },
  strict: true,
});
const component = values.component ?? fail('--component is required');
const src = path.resolve(values.src ?? '.');
const out = path.resolve(values.out ?? fail('--out is required'));
const app = path.join(out, 'app');

function fail(message: string): never {
  process.stderr.write(`collect-runtime: ${message}\n`);
  process.exit(1);
}

const entry = component === 'server' ? 'core/cli/main.ts' : `plugins/${component}/main.ts`;
if (!existsSync(path.join(src, entry))) fail(`${entry} does not exist`);

/** Folders shipped whole (assets, samples) besides the reachable files. */
const wholeDirs = ['proto', ...(component === 'server' ? ['core'] : ['plugins/common', `plugins/${component}`])];
const helpers = ['docker/image/entrypoint.sh', 'docker/image/healthcheck.ts'];

// ---- 1. source files: whole folders + the relative-import closure of the entry point ----------

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"\n]+)\1/gm;
const TYPE_ONLY = /^\s*(?:import|export)\s+type\s[^;]*?\bfrom\s*(['"])[^'"\n]+\1/gm;
const DYNAMIC = /\bimport\s*\(\s*(?!['"])/;

const files = new Set<string>();
const packages = new Set<string>();

function listTs(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(path.join(src, dir))) {
    const rel = path.posix.join(dir, name);
    if (statSync(path.join(src, rel)).isDirectory()) found.push(...listTs(rel));
    else found.push(rel);
  }
  return found;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? specifier);
}

// The helpers are copied, not followed: healthcheck.ts imports yaml (server) or smol-toml
// (plugins) lazily, and each image has its own one through the app.
for (const rel of helpers) files.add(rel);
const queue = [entry, ...wholeDirs.flatMap(listTs)];
while (queue.length > 0) {
  const rel = queue.pop() as string;
  if (files.has(rel)) continue;
  files.add(rel);
  if (!/\.[cm]?[jt]s$/.test(rel)) continue;
  const text = readFileSync(path.join(src, rel), 'utf8');
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    // Type-only imports and re-exports are erased when Node strips the types: nothing to load.
    .replace(TYPE_ONLY, '');
  if (DYNAMIC.test(code)) fail(`${rel}: a dynamic import() with a computed specifier cannot be followed; use a string literal`);
  for (const match of code.matchAll(SPECIFIER)) {
    const specifier = match[2] as string;
    if (specifier.startsWith('.')) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), specifier));
      if (!existsSync(path.join(src, target))) fail(`${rel}: imports ${specifier}, which does not exist`);
      queue.push(target);
    } else if (!isBuiltin(specifier)) {
      packages.add(packageName(specifier));
    }
  }
}

// ---- 2. npm packages: the closure over package-lock.json's node_modules layout ----------------

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  link?: boolean;
}
const lock = JSON.parse(readFileSync(path.join(src, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
const manifest = JSON.parse(readFileSync(path.join(src, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };

for (const name of packages) {
  if (!manifest.dependencies?.[name]) fail(`${name} is imported by the ${component} runtime but is not in package.json "dependencies"`);
}

/** Where Node finds `name` when required from the package at `from` (a lock key or ''). */
function resolveFrom(from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[candidate] && existsSync(path.join(src, candidate))) return candidate;
    if (!dir) return undefined;
    const at = dir.lastIndexOf('/node_modules/');
    dir = at < 0 ? '' : dir.slice(0, at);
  }
}

const modules = new Set<string>();
const pending: Array<[string, string, boolean]> = [...packages].map((name) => ['', name, false]);
while (pending.length > 0) {
  const [from, name, optional] = pending.pop() as [string, string, boolean];
  const key = resolveFrom(from, name);
  if (key === undefined) {
    if (optional) continue;
    fail(`cannot find ${name} (needed by ${from || 'the app'}) in node_modules; did npm ci --omit=dev run?`);
  }
  if (modules.has(key)) continue;
  modules.add(key);
  const meta = lock.packages[key] as LockEntry;
  for (const dep of Object.keys(meta.dependencies ?? {})) pending.push([key, dep, false]);
  for (const dep of Object.keys(meta.optionalDependencies ?? {})) pending.push([key, dep, true]);
  // Peers are installed by npm 7+; an optional or absent one is simply not needed.
  for (const dep of Object.keys(meta.peerDependencies ?? {})) pending.push([key, dep, true]);
}

// ---- 3. copy ----------------------------------------------------------------------------------

/**
 * Package files the runtime never reads. Only by extension: folder names lie (yaml's runtime
 * lives in dist/doc/, and the build's smoke test caught a "docs" rule removing it).
 */
const JUNK = /(^|\/)\.github$|\.(md|markdown|map|d\.ts|d\.mts|d\.cts|tsbuildinfo)$/i;

mkdirSync(app, { recursive: true });
cpSync(path.join(src, 'package.json'), path.join(app, 'package.json'));
for (const rel of files) {
  mkdirSync(path.dirname(path.join(app, rel)), { recursive: true });
  cpSync(path.join(src, rel), path.join(app, rel));
}
for (const key of modules) {
  cpSync(path.join(src, key), path.join(app, key), {
    recursive: true,
    // Nested node_modules are copied only when in the closure (they are keys of their own).
    filter: (from) => {
      const rel = path.relative(path.join(src, key), from);
      return rel === '' || (!rel.split(path.sep).includes('node_modules') && !JUNK.test(rel));
    },
  });
}

const summary = {
  component,
  entry,
  sourceFiles: files.size,
  imports: [...packages].sort(),
  packages: modules.size,
  omitted: Object.keys(lock.packages).filter((k) => k.startsWith('node_modules/') && !lock.packages[k]?.dev && !modules.has(k) && existsSync(path.join(src, k))).length,
};
writeFileSync(path.join(out, 'runtime.json'), `${JSON.stringify({ ...summary, modules: [...modules].sort() }, null, 2)}\n`);
process.stdout.write(`collect-runtime: ${component}: ${summary.sourceFiles} source files, ${summary.packages} packages (imports ${summary.imports.join(' ')}; ${summary.omitted} other production packages left out)\n`);
