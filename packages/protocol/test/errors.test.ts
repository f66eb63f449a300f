// The error registry and SwitchboardError: close codes, REST body and error frame.

import { describe, expect, it } from 'vitest';
import { CLOSE, closeCodeForStatus } from '../src/close-codes';
import { ERRORS, SwitchboardError, isErrorCode, type ErrorCode } from '../src/errors';

const CODES = Object.keys(ERRORS) as ErrorCode[];

describe('the error registry', () => {
  it.each(CODES)('%s closes a connection with 4000 + its HTTP status', (code) => {
    const { status } = ERRORS[code];
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(600);
    expect(closeCodeForStatus(status)).toBe(4000 + status);
    expect(new SwitchboardError(code, 'm').closeCode).toBe(4000 + status);
  });

  it('names codes in snake_case (they are wire values)', () => {
    for (const code of CODES) expect(code).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
  });

  it('marks only server-side and rate-limit failures as retryable', () => {
    const retryable = CODES.filter((c) => ERRORS[c].retryable).sort();
    expect(retryable).toStrictEqual(['internal', 'too_many_requests', 'unavailable']);
  });

  it('uses the close codes of docs/protocol.md#shared-websocket-rules for the statuses that end connections', () => {
    expect(closeCodeForStatus(ERRORS.bad_request.status)).toBe(CLOSE.badRequest);
    expect(closeCodeForStatus(ERRORS.unauthorized.status)).toBe(CLOSE.unauthorized);
    expect(closeCodeForStatus(ERRORS.token_expired.status)).toBe(CLOSE.unauthorized);
    expect(closeCodeForStatus(ERRORS.forbidden.status)).toBe(CLOSE.forbidden);
    expect(closeCodeForStatus(ERRORS.instance_not_found.status)).toBe(CLOSE.notFound);
    expect(closeCodeForStatus(ERRORS.internal.status)).toBe(CLOSE.internal);
  });
});

describe('isErrorCode', () => {
  it.each(CODES)('knows %s', (code) => {
    expect(isErrorCode(code)).toBe(true);
  });

  it.each(['', 'nope', 'Not_Found', 'toString', 'constructor', '__proto__', 'hasOwnProperty'])('rejects %j', (code) => {
    expect(isErrorCode(code)).toBe(false);
  });
});

describe('SwitchboardError', () => {
  it.each(['toString', '__proto__', 'nope'])('turns %j, a code outside the registry, into internal', (code) => {
    const err = new SwitchboardError(code as never, 'm');
    expect(err.code).toBe('internal');
    expect(err.status).toBe(500);
    expect(err.retryable).toBe(true);
  });

  it('carries code, status, message, cause and details', () => {
    const cause = new Error('disk');
    const err = new SwitchboardError('validation_failed', 'data.percent: too big', { cause, details: { field: 'data.percent' } });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SwitchboardError');
    expect(err.code).toBe('validation_failed');
    expect(err.status).toBe(400);
    expect(err.message).toBe('data.percent: too big');
    expect(err.cause).toBe(cause);
    expect(err.details).toStrictEqual({ field: 'data.percent' });
    expect(err.retryable).toBe(false);
    expect(err.closeCode).toBe(4400);
  });

  it('has no cause unless given one', () => {
    expect('cause' in new SwitchboardError('internal', 'x')).toBe(false);
    expect(new SwitchboardError('internal', 'x').retryable).toBe(true);
  });

  it.each(CODES)('%s serializes to the REST body and the error frame with the same code', (code) => {
    const err = new SwitchboardError(code, `about ${code}`);
    expect(err.toJSON()).toStrictEqual({ error: { code, message: `about ${code}` } });
    expect(err.toFrame()).toStrictEqual({ type: 'error', code, message: `about ${code}` });
  });

  it('adds details to the REST body but not to the frame', () => {
    const err = new SwitchboardError('validation_failed', 'data.percent: too big', { details: { field: 'data.percent' } });
    expect(JSON.parse(JSON.stringify(err))).toStrictEqual({
      error: { code: 'validation_failed', message: 'data.percent: too big', field: 'data.percent' },
    });
    expect(err.toFrame()).toStrictEqual({ type: 'error', code: 'validation_failed', message: 'data.percent: too big' });
  });

  it('never lets details replace the code or message of the REST body', () => {
    const err = new SwitchboardError('not_found', 'no such route', { details: { code: 'internal', message: 'other', path: '/x' } });
    expect(err.toJSON()).toStrictEqual({ error: { code: 'not_found', message: 'no such route', path: '/x' } });
    expect(err.toJSON().error.code).toBe(err.toFrame().code);
  });
});
