// Talking to a real server from TUI tests: publish catalogue events over REST, read what a frame shows.

/** Append events with `POST /api/events` (an array is appended atomically); throws with the body on a non-201. */
export async function publish(baseUrl: string, events: ReadonlyArray<{ topic: string; data: unknown }>): Promise<void> {
  const res = await fetch(`${baseUrl}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  if (res.status !== 201) throw new Error(`POST /api/events answered ${res.status}: ${await res.text()}`);
}

// CSI and OSC sequences, as terminals and Ink emit them.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

/** A frame as a person reads it: escape sequences removed. */
export function plain(frame: string | undefined): string {
  return (frame ?? '').replace(ANSI, '');
}

/** The line of `text` that contains `needle`, or undefined. */
export function lineWith(text: string | undefined, needle: string): string | undefined {
  return (text ?? '').split('\n').find((l) => l.replace(ANSI, '').includes(needle));
}

/** A name unique to this test run, for sessions, agents and tmux sessions. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
