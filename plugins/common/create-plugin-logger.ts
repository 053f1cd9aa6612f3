import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogConfig } from './load-plugin-config.ts';

export interface CreatePluginLoggerOptions {
  log: LogConfig;
  /** `--debug` forces severity debug. */
  debug?: boolean;
  /** Base fields on every line, e.g. `{ plugin: 'slack' }`. */
  base?: Record<string, string>;
  /** Overrides the destination (tests). */
  destination?: DestinationStream;
}

/**
 * Creates the plugin's pino logger: JSON lines to stderr, stdout or a file (appended, created
 * if missing), synchronous so a fatal error is never lost on exit.
 */
export function createPluginLogger(options: CreatePluginLoggerOptions): Logger {
  const { output } = options.log;
  const destination =
    options.destination ??
    (output.kind === 'stdout'
      ? pino.destination({ fd: 1, sync: true })
      : output.kind === 'stderr'
        ? pino.destination({ fd: 2, sync: true })
        : pino.destination({ dest: output.path, sync: true, mkdir: true, append: true }));
  return pino(
    {
      level: options.debug === true ? 'debug' : options.log.level,
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
