import type { WebContext } from './web-context.ts';
import type { WebDeps } from './web-deps.ts';

/** One route of the console: a method and a path whose `:name` segments become `ctx.params`. */
export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handle: (ctx: WebContext, deps: WebDeps) => Promise<void>;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  keys: string[];
}

/** Matches routes in order; a `:name` segment matches one path segment of safe characters. */
export function compileRoutes(routes: readonly Route[]): (method: string, path: string) => { route: Route; params: Record<string, string> } | 'method' | undefined {
  const compiled: CompiledRoute[] = routes.map((r) => {
    const keys: string[] = [];
    const source = r.path
      .split('/')
      .map((seg) => {
        if (!seg.startsWith(':')) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        keys.push(seg.slice(1));
        return '([A-Za-z0-9_-]{1,128})';
      })
      .join('/');
    return { ...r, pattern: new RegExp(`^${source}$`), keys };
  });
  return (method, path) => {
    let wrongMethod = false;
    for (const r of compiled) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      if (r.method !== method && !(r.method === 'GET' && method === 'HEAD')) {
        wrongMethod = true;
        continue;
      }
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => {
        params[k] = m[i + 1] ?? '';
      });
      return { route: r, params };
    }
    return wrongMethod ? 'method' : undefined;
  };
}
