/**
 * What went wrong, so the CLI can name it and pick an exit code:
 * - `unreachable`: the server or the service did not answer; `start` waits and tries again,
 *   `check` reports it. Every other kind is something a restart cannot fix.
 * - `usage`, `config`: the command line or plugin.toml.
 * - `identity`: the identity is missing, unreadable, expired, or not of the server's cluster.
 * - `access`: the identity lacks a preset the plugin needs.
 * - `service`: the service refused the plugin's credentials or settings.
 */
export type PluginErrorKind = 'usage' | 'config' | 'identity' | 'access' | 'unreachable' | 'service';

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

  /** Whether waiting may fix it (the server or the service was not reachable). */
  get transient(): boolean {
    return this.kind === 'unreachable';
  }
}
