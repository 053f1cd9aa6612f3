import type { AccessRequests } from '../api/access-requests.ts';
import type { Caller } from '../api/authenticate.ts';
import { checkerOf } from '../api/authorize.ts';
import { AppError } from '../domain/app-error.ts';
import { REQUEST_STATES, type AccessRequest, type RequestState } from '../domain/types.ts';
import { encodePageToken } from '../store/page-token.ts';

/** The filters of the requests page (query `state`, `user`, `role`). */
export interface ListFilters {
  state: RequestState | undefined;
  user: string;
  role: string;
}

/** Rows per page of the main list, and of the two short lists above it. */
export const PAGE_ROWS = 50;
export const REVIEW_ROWS = 20;
export const MINE_ROWS = 10;

/**
 * Store rows read at most per page shown. A user who sees only some requests (no list rule), or
 * a role filter, drops rows after the read; the scan stops here and offers "Older" from where
 * it got to, so one page never reads 100,000 rows.
 */
const SCAN_LIMIT = 2000;
const SCAN_BATCH = 250;
const MAX_FILTER_CHARS = 128;

/** Reads and checks the filters; unknown states and overlong names are `invalid_argument`. */
export function parseFilters(query: URLSearchParams): ListFilters {
  const stateText = (query.get('state') ?? '').trim().toUpperCase();
  let state: RequestState | undefined;
  if (stateText !== '') {
    state = REQUEST_STATES.find((s) => s === stateText);
    if (state === undefined) throw new AppError('invalid_argument', `state: expected one of ${REQUEST_STATES.join(', ').toLowerCase()}, got ${JSON.stringify(stateText.slice(0, 40))}`);
  }
  const text = (name: string): string => {
    const value = (query.get(name) ?? '').trim();
    if (value.length > MAX_FILTER_CHARS) throw new AppError('invalid_argument', `${name}: longer than ${MAX_FILTER_CHARS} characters`);
    return value;
  };
  return { state, user: text('user'), role: text('role') };
}

/** Whether a request passes the page's filters. */
export function matchesFilters(request: AccessRequest, filters: ListFilters): boolean {
  return (
    (filters.state === undefined || request.state === filters.state) &&
    (filters.user === '' || request.user === filters.user) &&
    (filters.role === '' || request.roles.includes(filters.role))
  );
}

/** Whether the request belongs in "Waiting for your review". */
export function awaitsReviewBy(caller: Caller, request: AccessRequest): boolean {
  return (
    request.state === 'PENDING' &&
    request.user !== caller.name &&
    !request.reviews.some((r) => r.author === caller.name) &&
    checkerOf(caller).canReviewRequest(request, caller.name)
  );
}

export interface Listing {
  items: AccessRequest[];
  /** "" when there is nothing older. */
  nextPageToken: string;
}

/**
 * Newest first, up to `rows` requests the caller may see (the one authorized `list`) that pass
 * `keep`, reading at most SCAN_LIMIT store rows. The token continues after the last row read
 * or shown, in the store's own token format.
 */
async function scan(
  requests: AccessRequests,
  caller: Caller,
  query: { states?: RequestState[]; users?: string[] },
  rows: number,
  pageToken: string,
  keep: (r: AccessRequest) => boolean,
): Promise<Listing> {
  const items: AccessRequest[] = [];
  let token = pageToken;
  let read = 0;
  // Unfiltered rows come back whole: then one store page of exactly `rows` is the whole work.
  const exact = requests.listsAll(caller);
  for (;;) {
    const pageSize = exact ? rows + 1 - items.length : SCAN_BATCH;
    const page = await requests.list(caller, { ...query, newestFirst: true, pageSize, ...(token ? { pageToken: token } : {}) });
    read += pageSize;
    for (const r of page.items) {
      if (!keep(r)) continue;
      if (items.length === rows) {
        const last = items.at(-1);
        return { items, nextPageToken: last ? encodePageToken(last.id) : '' };
      }
      items.push(r);
    }
    token = page.nextPageToken;
    if (token === '') return { items, nextPageToken: '' };
    if (read >= SCAN_LIMIT) return { items, nextPageToken: token };
  }
}

/** The main list: requests matching the filters, one page. */
export function listFiltered(requests: AccessRequests, caller: Caller, filters: ListFilters, pageToken: string): Promise<Listing> {
  return scan(
    requests,
    caller,
    { ...(filters.state ? { states: [filters.state] } : {}), ...(filters.user ? { users: [filters.user] } : {}) },
    PAGE_ROWS,
    pageToken,
    (r) => filters.role === '' || r.roles.includes(filters.role),
  );
}

/** Pending requests the caller may review now, newest first. */
export async function listAwaitingReview(requests: AccessRequests, caller: Caller): Promise<AccessRequest[]> {
  if (!checkerOf(caller).mayReviewRequests()) return [];
  return (await scan(requests, caller, { states: ['PENDING'] }, REVIEW_ROWS, '', (r) => awaitsReviewBy(caller, r))).items;
}

/** The caller's own latest requests. */
export async function listMine(requests: AccessRequests, caller: Caller): Promise<AccessRequest[]> {
  return (await requests.list(caller, { users: [caller.name], newestFirst: true, pageSize: MINE_ROWS })).items;
}
