// Small readers for REST body fields: each throws `validation_failed` naming the field (docs/security.md: a clear 400
// naming the field), so route handlers read like the body shape they expect.

import { SwitchboardError } from '@switchboard/protocol';

export type Body = Record<string, unknown>;

/** The body as a JSON object, or a 400 on `body`. */
export function objectBody(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SwitchboardError('validation_failed', 'body must be a JSON object', { details: { field: 'body' } });
  }
  return body as Body;
}

export interface StringRule {
  /** Longest accepted value in characters. @default 4096 */
  max?: number;
  /** Whether `""` (or only whitespace) is accepted. @default false */
  allowEmpty?: boolean;
}

/** `body[key]` as a string; `field` is its name in the error (e.g. `steps[2].command`). */
export function requiredString(body: Body, key: string, rule: StringRule = {}, field = key): string {
  const v = body[key];
  if (v === undefined || v === null) throw fieldError(field, 'is required');
  return checkString(v, rule, field);
}

/** `body[key]` as a string, or `undefined` when absent. */
export function optionalString(body: Body, key: string, rule: StringRule = {}, field = key): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  return checkString(v, rule, field);
}

function checkString(v: unknown, rule: StringRule, field: string): string {
  if (typeof v !== 'string') throw fieldError(field, 'must be a string');
  if (!rule.allowEmpty && v.trim() === '') throw fieldError(field, 'must not be empty');
  const max = rule.max ?? 4096;
  if (v.length > max) throw fieldError(field, `must be at most ${max} characters`);
  return v;
}

/** A `validation_failed` error for `field`. */
export function fieldError(field: string, problem: string): SwitchboardError {
  return new SwitchboardError('validation_failed', `${field} ${problem}`, { details: { field } });
}
