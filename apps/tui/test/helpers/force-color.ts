// Import first: Ink's colour support is decided when chalk loads, and tests assert the ANSI dim of ended sessions.
// The variable is removed again by `restoreColorEnv()` so child processes of later tests do not inherit it.

const previous = process.env.FORCE_COLOR;
process.env.FORCE_COLOR = '1';

/** Put FORCE_COLOR back as it was (call once the test file's imports have run). */
export function restoreColorEnv(): void {
  if (previous === undefined) delete process.env.FORCE_COLOR;
  else process.env.FORCE_COLOR = previous;
}
