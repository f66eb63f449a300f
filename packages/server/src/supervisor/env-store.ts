// Instance environment values, kept out of the event log: one JSON file per instance, mode 0600, in a 0700
// directory, written atomically (temp file + rename) so a crash never leaves half a file.

import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setOwn } from '@switchboard/protocol';

/** Read an env file; an absent or unreadable file is an empty environment. */
export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') setOwn(out, k, v);
    return out;
  } catch {
    return {};
  }
}

export function writeEnvFile(path: string, env: Record<string, string>): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(env), { mode: 0o600 });
  // writeFileSync keeps the mode of an existing file; make sure a stale temp file cannot widen it.
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
