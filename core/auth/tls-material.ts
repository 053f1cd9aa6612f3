import type { ChannelOptions } from '@grpc/grpc-js';
import type { IdentityMaterial } from './identity-file.ts';

/**
 * The DNS name every Gatehouse server certificate carries. Clients verify the server against
 * it whatever address they dial, so a server reached by IP, NAT or tunnel still checks out.
 */
export const GATEHOUSE_SERVER_NAME = 'gatehouse.cluster.local';

/** Inputs of grpc-js `ServerCredentials.createSsl(rootCerts, keyCertPairs, checkClientCertificate)`. */
export interface ServerCredentialsMaterial {
  /** The CA(s) client certificates must chain to. */
  rootCerts: Buffer;
  keyCertPairs: { private_key: Buffer; cert_chain: Buffer }[];
  /** Always true: Gatehouse requires a client certificate on every connection. */
  checkClientCertificate: true;
}

/** Inputs of grpc-js `credentials.createSsl(rootCerts, privateKey, certChain)`. */
export interface ClientCredentialsMaterial {
  /** The CA(s) the server certificate must chain to. */
  rootCerts: Buffer;
  privateKey: Buffer;
  certChain: Buffer;
  /** Channel options that make the client verify the server as {@link GATEHOUSE_SERVER_NAME}. */
  channelOptions: ChannelOptions;
}

/**
 * The server's TLS inputs: its own key and certificate, and the cluster CA(s) that client
 * certificates must be issued by.
 * Usage: `const m = serverCredentialsMaterial(...); ServerCredentials.createSsl(m.rootCerts, m.keyCertPairs, m.checkClientCertificate)`.
 */
export function serverCredentialsMaterial(options: { keyPem: string; certPem: string; caPems: readonly string[] }): ServerCredentialsMaterial {
  return {
    rootCerts: Buffer.from(options.caPems.join('')),
    keyCertPairs: [{ private_key: Buffer.from(options.keyPem), cert_chain: Buffer.from(options.certPem) }],
    checkClientCertificate: true,
  };
}

/**
 * A client's TLS inputs from an identity (e.g. `readIdentityFile(...)`).
 * Usage: `const m = clientCredentialsMaterial(id); new Client(addr, credentials.createSsl(m.rootCerts,
 * m.privateKey, m.certChain), m.channelOptions)`. The channel options set
 * `grpc.ssl_target_name_override` so any address works (and Node does not warn about an IP
 * address as TLS server name).
 */
export function clientCredentialsMaterial(identity: IdentityMaterial): ClientCredentialsMaterial {
  return {
    rootCerts: Buffer.from(identity.caPems.join('')),
    privateKey: Buffer.from(identity.keyPem),
    certChain: Buffer.from(identity.certPem),
    channelOptions: { 'grpc.ssl_target_name_override': GATEHOUSE_SERVER_NAME },
  };
}
