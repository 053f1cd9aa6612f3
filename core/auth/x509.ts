/**
 * The one place that loads `@peculiar/x509`: it loads the reflect-metadata polyfill the library
 * needs at import time, and points the library at Node's WebCrypto. Every other file of
 * `core/auth` imports `x509` from here, never from the package directly, so the set-up cannot
 * be forgotten.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };

/** ECDSA P-256 with SHA-256: the key and signature algorithm of every Gatehouse key and certificate. */
export const EC_P256_SHA256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
