// Which file of an output log a resume position names (docs/control-plane.md "Exact log resume"). A position is a
// file identity and a byte offset. The identity cannot be the inode alone: rotation deletes the oldest file and the
// next file created often gets its inode back, so a stale position would silently land in the wrong file. Nor the
// birth time: where the filesystem has none, Node reports the change time, which moves with every write. So each
// file seen at the log's path gets a generation number, recorded by inode in a small sidecar (`<log>.ids`) next to
// it: `<nonce>-<generation>`. The nonce is random per sidecar, so a log that was removed and created again (an
// instance deleted and re-created under its name) never matches positions into its predecessor, and generations
// order the files: a file's successor is the kept file with the next higher generation.
//
// The supervisor's writer and the tailers run in one process and use these functions synchronously, so the sidecar's
// read-modify-write cannot interleave. The writer forgets the inode of the file its rotation deletes before the next
// file is created; a file rotated or deleted by an outside tool is forgotten once its inode is no longer among the
// log's files.

import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

interface Sidecar {
  nonce: string;
  next: number;
  /** Generation by inode number. */
  files: Record<string, number>;
}

/** A rotated file: `output.log.1` is the newest rotated one. At most this many are looked for. */
export const MAX_ROTATED_FILES = 100;

export interface ChainFile {
  path: string;
  ino: number;
  size: number;
  id: string;
  generation: number;
}

function sidecarPath(logPath: string): string {
  return `${logPath}.ids`;
}

/** `output.log.<n>`, the n-th newest rotated file of `logPath` (n ≥ 1). */
export function rotatedPath(logPath: string, n: number): string {
  return `${logPath}.${n}`;
}

function load(logPath: string): Sidecar {
  try {
    const raw = JSON.parse(readFileSync(sidecarPath(logPath), 'utf8')) as Partial<Sidecar>;
    if (typeof raw.nonce === 'string' && typeof raw.next === 'number' && raw.files && typeof raw.files === 'object') {
      return { nonce: raw.nonce, next: raw.next, files: { ...raw.files } };
    }
  } catch {
    // Absent or damaged: start a new one (old positions then read as unknown, never as wrong).
  }
  return { nonce: randomBytes(4).toString('hex'), next: 1, files: {} };
}

function save(logPath: string, s: Sidecar): void {
  const tmp = `${sidecarPath(logPath)}.tmp`;
  writeFileSync(tmp, JSON.stringify(s), { mode: 0o600 });
  renameSync(tmp, sidecarPath(logPath));
}

/** Inodes of the files currently at the log's path and its rotated paths. */
function presentInodes(logPath: string): Set<string> {
  const out = new Set<string>();
  for (let n = 0; n <= MAX_ROTATED_FILES; n++) {
    const st = lstatSync(n === 0 ? logPath : rotatedPath(logPath, n), { throwIfNoEntry: false });
    if (!st) {
      if (n > 0) break;
      continue;
    }
    out.add(String(st.ino));
  }
  return out;
}

/**
 * The identity of the file with inode `ino` at (or rotated from) `logPath`, giving it the next generation when it has
 * none yet. `renew`: the file was truncated under its readers, so positions into its old content must not match.
 */
export function identify(logPath: string, ino: number, renew = false): string {
  const s = load(logPath);
  const key = String(ino);
  let gen = Object.hasOwn(s.files, key) ? s.files[key] : undefined;
  if (gen === undefined || renew) {
    const present = presentInodes(logPath);
    for (const k of Object.keys(s.files)) if (!present.has(k) && k !== key) delete s.files[k];
    gen = s.next++;
    s.files[key] = gen;
    save(logPath, s);
  }
  return `${s.nonce}-${gen}`;
}

/** The identity of a file already registered, without registering it. */
function known(logPath: string, ino: number): string | undefined {
  const s = load(logPath);
  const key = String(ino);
  return Object.hasOwn(s.files, key) ? `${s.nonce}-${s.files[key]}` : undefined;
}

/** Drop the generation of a file the writer is about to delete, so a new file reusing its inode gets a new one. */
export function forget(logPath: string, ino: number): void {
  const s = load(logPath);
  const key = String(ino);
  if (!Object.hasOwn(s.files, key)) return;
  delete s.files[key];
  save(logPath, s);
}

/** Split an identity into its nonce and generation; undefined for text that is not one. */
export function parseIdentity(id: string): { nonce: string; generation: number } | undefined {
  const m = /^([0-9a-f]{8})-(\d{1,15})$/.exec(id);
  return m ? { nonce: m[1]!, generation: Number(m[2]) } : undefined;
}

/** The nonce of the log's sidecar, without creating one. */
export function currentNonce(logPath: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(sidecarPath(logPath), 'utf8')) as Sidecar).nonce;
  } catch {
    return undefined;
  }
}

/** The log's files that still exist, oldest first (the current file last), each with its identity. */
export function logChain(logPath: string): ChainFile[] {
  const out: ChainFile[] = [];
  for (let n = 0; n <= MAX_ROTATED_FILES; n++) {
    const path = n === 0 ? logPath : rotatedPath(logPath, n);
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st) {
      if (n > 0) break;
      continue;
    }
    if (!st.isFile()) continue;
    // Only the current file is registered here: a rotated file never seen at the path (left by an outside tool,
    // or from before identities existed) has no place in the order and is left out.
    const id = n === 0 ? identify(logPath, st.ino) : known(logPath, st.ino);
    if (id === undefined) continue;
    out.push({ path, ino: st.ino, size: st.size, id, generation: parseIdentity(id)!.generation });
  }
  return out.reverse();
}
