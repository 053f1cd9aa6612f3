/** What went wrong, so the CLI can name it and pick an exit code. */
export type PluginErrorKind = 'usage' | 'config' | 'identity' | 'connection' | 'service';

/**
 * An error the plugin reports to its operator as one clear line (no stack trace): a bad
 * config, an expired identity, an unreachable server, rejected service credentials.
 */
export class PluginError extends Error {
  readonly kind: PluginErrorKind;
  constructor(kind: PluginErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PluginError';
    this.kind = kind;
  }
}
