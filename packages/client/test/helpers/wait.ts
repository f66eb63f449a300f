// Wait on conditions, never on sleeps: polls `cond` until it returns something truthy; on timeout the
// error says what was expected and what was last seen.

export interface WaitOptions {
  /** @default 5000 */
  timeoutMs?: number;
  /** What the test expected, for the failure message. */
  message?: string;
  /** What the test saw, evaluated at failure time. */
  saw?: () => unknown;
}

export async function waitFor<T>(cond: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await cond();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const saw = options.saw ? options.saw() : last;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.message ?? 'condition'}; saw ${safe(saw)}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

function safe(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
