import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadOrCreateClusterCA } from '../../core/auth/cluster-ca.ts';
import { issueServerCert } from '../../core/auth/issue-server-cert.ts';

/** A test CA and a server certificate it signed, for an SMTP server on 127.0.0.1 / localhost. */
export interface SmtpTlsMaterial {
  /** The CA certificate (PEM): what a client must trust (the plugin's `ca_file`). */
  readonly caPem: string;
  readonly keyPem: string;
  readonly certPem: string;
}

/**
 * Makes a fresh CA (the project's own CA code, so it is the same kind of chain the server
 * uses) and a server certificate for `localhost`, `127.0.0.1` and `::1`, valid for a day.
 * Nothing is left on disk.
 */
export async function createSmtpTlsMaterial(name = 'fake-smtp'): Promise<SmtpTlsMaterial> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-smtp-ca-'));
  try {
    const ca = await loadOrCreateClusterCA(dir, name);
    const server = await issueServerCert(ca, { hosts: ['localhost', '127.0.0.1'], ttlMs: 24 * 3600_000 });
    return Object.freeze({ caPem: ca.certPem, keyPem: server.keyPem, certPem: server.certPem });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
