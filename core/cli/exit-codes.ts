/**
 * The exit statuses of `gatehouse`, for scripts. Each is distinct so a script can tell a
 * denied request from a typo or an unreachable server without reading the message.
 */
export const EXIT = {
  /** Done; with `request create --wait`: the request was approved. */
  ok: 0,
  /** The server refused the call, or something else failed (the message says what). */
  failure: 1,
  /** The command was called wrongly: unknown command or flag, missing or extra argument. */
  usage: 2,
  /** `request create --wait`: the request was denied. */
  denied: 3,
  /** `request create --wait`: the request expired before anyone approved it. */
  expired: 4,
  /** `request create --wait`: the request was deleted while waiting. */
  deleted: 5,
  /** No Gatehouse API at the address: nothing listening, unknown host, no answer, another port. */
  unreachable: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table printed by `gatehouse --help` and in the README. */
export const EXIT_HELP = `Exit status:
  0  done (request create --wait: approved)
  1  the server refused, or something else failed
  2  usage error: unknown command or flag, missing or extra argument
  3  request create --wait: denied
  4  request create --wait: expired before approval
  5  request create --wait: deleted while waiting
  6  no Gatehouse API at the address: nothing listening, unknown host, no answer, another port`;
