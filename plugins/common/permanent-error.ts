/**
 * Thrown by a plugin effect that must not be retried (e.g. Slack `channel_not_found`): the
 * runtime logs it and does not re-queue the request. Any other error is retried later.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}
