import { readFile } from 'node:fs/promises';
import { decodeIdentityFile, readIdentityFile, type DecodedIdentityFile } from '../../core/auth/identity-file.ts';
import type { ClientIdentity } from '../../core/client/gatehouse-client.ts';
import type { ServerCredentials } from './load-plugin-config.ts';
import { PluginError } from './plugin-error.ts';

/** Credentials loaded from disk, with who they say we are and until when. */
export interface LoadedCredentials {
  readonly identity: ClientIdentity;
  readonly user: string;
  readonly roles: readonly string[];
  readonly expiresMs: number;
  /** The file(s) they came from, for messages. */
  readonly source: string;
  /** Files to watch for renewal. */
  readonly files: readonly string[];
}

/** Warn when the identity expires within this long. */
export const EXPIRY_WARNING_MS = 24 * 3600_000;

/**
 * Loads the plugin's identity (an identity file, or key + certificate + CA files) and refuses
 * an expired one.
 * @throws PluginError `identity` naming the file and what is wrong (missing, unreadable, expired).
 */
export async function loadCredentials(credentials: ServerCredentials, now: number): Promise<LoadedCredentials> {
  let decoded: DecodedIdentityFile;
  let source: string;
  let files: string[];
  try {
    if (credentials.kind === 'identity') {
      source = `identity file ${credentials.identityFile}`;
      files = [credentials.identityFile];
      decoded = await readIdentityFile(credentials.identityFile);
    } else {
      files = [credentials.keyFile, credentials.certFile, credentials.caFile];
      source = `client_key/client_crt/root_cas (${files.join(', ')})`;
      const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
      decoded = decodeIdentityFile(texts.join('\n'), source);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = err instanceof Error ? err.message : String(err);
    throw new PluginError('identity', typeof code === 'string' && code.startsWith('E') ? `cannot read ${reason}` : reason, { cause: err });
  }
  const { identity } = decoded;
  if (identity.expiresMs <= now) {
    throw new PluginError(
      'identity',
      `${source} expired at ${new Date(identity.expiresMs).toISOString()}; issue a new one (gatehouse auth sign) and point the config at it`,
    );
  }
  return {
    identity: decoded,
    user: identity.user,
    roles: [...identity.roles],
    expiresMs: identity.expiresMs,
    source,
    files,
  };
}
