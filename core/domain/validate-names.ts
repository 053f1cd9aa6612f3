import { invalidArgument } from './app-error.ts';
import { quoteShort } from './quote-short.ts';

/** A user name accepted by {@link parseUserName}. */
export type UserName = string & { readonly __brand: 'UserName' };
/** A role name accepted by {@link parseRoleName}. */
export type RoleName = string & { readonly __brand: 'RoleName' };
/** A plugin name accepted by {@link parsePluginName}. */
export type PluginName = string & { readonly __brand: 'PluginName' };

/** Longest user name: it is the subject CN of a certificate (X.509 caps CN at 64). */
export const MAX_USER_NAME = 64;
/** Longest role name (also a certificate subject O). */
export const MAX_ROLE_NAME = 63;
/** Longest plugin name (a plugin data namespace). */
export const MAX_PLUGIN_NAME = 64;

// Users may be e-mail-like (alice@example.com) but never hold spaces, slashes, quotes or
// control characters, so they are safe in certificates, audit logs and messages.
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]*$/;
const ROLE_NAME = /^[a-z0-9][a-z0-9._-]*$/;
const PLUGIN_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Validates a user name: 1..64 characters of `A-Z a-z 0-9 . _ @ + -`, starting with a letter
 * or digit.
 *
 * @param field names the input in the error (default `user`).
 * @throws AppError `invalid_argument` naming the field.
 */
export function parseUserName(s: string, field = 'user'): UserName {
  return checkName(s, field, USER_NAME, MAX_USER_NAME, 'letters, digits and . _ @ + -') as UserName;
}

/**
 * Validates a role name: 1..63 characters of `a-z 0-9 . _ -`, starting with a letter or digit.
 *
 * @throws AppError `invalid_argument` naming the field (default `role`).
 */
export function parseRoleName(s: string, field = 'role'): RoleName {
  return checkName(s, field, ROLE_NAME, MAX_ROLE_NAME, 'lowercase letters, digits and . _ -') as RoleName;
}

/**
 * Validates a plugin name: 1..64 characters of `a-z 0-9 _ -`, starting with a letter or digit.
 *
 * @throws AppError `invalid_argument` naming the field (default `plugin`).
 */
export function parsePluginName(s: string, field = 'plugin'): PluginName {
  return checkName(s, field, PLUGIN_NAME, MAX_PLUGIN_NAME, 'lowercase letters, digits and _ -') as PluginName;
}

function checkName(s: string, field: string, pattern: RegExp, max: number, allowed: string): string {
  if (s.length === 0) throw invalidArgument(`${field}: must not be empty`);
  if (s.length > max) throw invalidArgument(`${field}: ${quoteShort(s)} is longer than ${max} characters`);
  if (!pattern.test(s)) {
    throw invalidArgument(`${field}: invalid name ${quoteShort(s)} (use ${allowed}; start with a letter or digit)`);
  }
  return s;
}
