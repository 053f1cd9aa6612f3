import { AppError, invalidArgument } from '../domain/app-error.ts';
import { quoteShort } from '../domain/quote-short.ts';

/** Largest accepted plugin entry, as JSON (Teleport: "plugin data size limit exceeded"). */
export const MAX_PLUGIN_ENTRY_BYTES = 64 * 1024;

/**
 * The compare-and-swap rule of `Store.updatePluginData`, shared by every backend so they
 * cannot drift apart (reference-teleport-core.md §3.4):
 * - every `expect[k]` must equal the current value, a missing key (or a missing entry)
 *   counting as "", else `aborted` naming the first key that differs; this is the optimistic
 *   lock plugins rely on and is never retried by the store;
 * - `set[k] = ""` deletes k, any other value overwrites it.
 * Returns the new entry ({} means: remove the entry).
 */
export function applyPluginDataChange(
  current: Readonly<Record<string, string>> | undefined,
  set: Readonly<Record<string, string>>,
  expect: Readonly<Record<string, string>>,
): Record<string, string> {
  // A Map, not object spread: a hostile key such as "__proto__" must stay a plain key.
  const entry = new Map(Object.entries(current ?? {}));
  for (const [key, expected] of Object.entries(expect)) {
    if ((entry.get(key) ?? '') !== expected) {
      throw new AppError('aborted', `expectations not met for field ${quoteShort(key)}`);
    }
  }
  for (const [key, value] of Object.entries(set)) {
    if (value === '') entry.delete(key);
    else entry.set(key, value);
  }
  const result = Object.fromEntries(entry);
  if (Buffer.byteLength(JSON.stringify(result), 'utf8') > MAX_PLUGIN_ENTRY_BYTES) {
    throw invalidArgument('plugin data size limit exceeded');
  }
  return result;
}
