import { describe, expect, it } from 'vitest';
import { clipStatusMessage, MAX_STATUS_MESSAGE_BYTES } from '../../../core/api/clip-status-message.ts';
import { toStatus } from '../../../core/api/rpc.ts';
import { AppError } from '../../../core/domain/app-error.ts';

/** What grpc-js puts in the grpc-message trailer. */
const wireSize = (message: string): number => encodeURI(message).length;

describe('clipStatusMessage', () => {
  it('keeps short messages as they are', () => {
    expect(clipStatusMessage('reason: longer than 4096 bytes')).toBe('reason: longer than 4096 bytes');
    const exact = 'a'.repeat(MAX_STATUS_MESSAGE_BYTES);
    expect(clipStatusMessage(exact)).toBe(exact);
  });

  it('bounds the percent-encoded size of any message, marking the cut', () => {
    for (const unit of ['a', ' ', '%', 'é', '✓', '😀', 'a😀', '"\\n']) {
      const clipped = clipStatusMessage(`kinds[0]: got ${unit.repeat(100_000)}`);
      expect(wireSize(clipped), unit).toBeLessThanOrEqual(MAX_STATUS_MESSAGE_BYTES);
      expect(wireSize(clipped), unit).toBeGreaterThan(MAX_STATUS_MESSAGE_BYTES - 32);
      expect(clipped.startsWith('kinds[0]: got ')).toBe(true);
      expect(clipped.endsWith(' …(cut)')).toBe(true);
    }
  });

  it('never leaves a lone surrogate, on which encodeURI (and grpc-js) would throw', () => {
    for (let pad = 0; pad < 12; pad++) {
      const clipped = clipStatusMessage('x'.repeat(pad) + '😀'.repeat(5000));
      expect(() => encodeURI(clipped)).not.toThrow();
    }
    expect(clipStatusMessage('bad \uD800 surrogate')).toBe('bad \uFFFD surrogate');
  });

  it('is applied to every status the API sends', () => {
    const st = toStatus(new AppError('invalid_argument', `user ${'x'.repeat(100_000)}`));
    expect(wireSize(st.details)).toBeLessThanOrEqual(MAX_STATUS_MESSAGE_BYTES);
    expect(st.appError.message).toHaveLength(100_005);
  });
});
