// Units of the output log's size rotation and file identities (docs/control-plane.md "Bounds", "Exact log resume"):
// files are cut between lines, the oldest goes, and a file keeps its identity when renamed while a new file never
// inherits one.

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { identify, logChain, parseIdentity } from '../src/logs/log-identity';
import { LogFile } from '../src/supervisor/log-file';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempLog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-logfile-'));
  dirs.push(dir);
  return join(dir, 'output.log');
}

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${String(from + i).padStart(4, '0')}\n`).join('');

describe('LogFile rotation', () => {
  it('cuts after the last whole line that fits, keeps N rotated files and deletes the oldest', () => {
    const path = tempLog();
    const f = new LogFile(path, () => {}, { maxBytes: 100, maxFiles: 2 });
    // 10 bytes per line; chunks of 7 lines cross the limit mid-chunk.
    for (let i = 0; i < 10; i++) f.write(Buffer.from(lines(i * 7 + 1, i * 7 + 7)));
    f.close();
    const files = [`${path}.2`, `${path}.1`, path];
    for (const p of files) {
      const text = readFileSync(p, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      expect(statSync(p).size).toBeLessThanOrEqual(100);
    }
    expect(existsSync(`${path}.3`)).toBe(false);
    // The kept files hold the newest lines, contiguous and in order.
    const kept = files.map((p) => readFileSync(p, 'utf8')).join('');
    expect(kept.endsWith(lines(61, 70))).toBe(true);
    const numbers = kept.trim().split('\n').map((l) => Number(l.slice(5)));
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => numbers[0]! + i));
  });

  it('finishes a line longer than the limit before rotating, and cuts a stream without newlines at twice the limit', () => {
    const path = tempLog();
    const f = new LogFile(path, () => {}, { maxBytes: 50, maxFiles: 3 });
    f.write(Buffer.from('a'.repeat(80) + '\nshort\n'));
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('a'.repeat(80) + '\n');
    expect(readFileSync(path, 'utf8')).toBe('short\n');
    f.write(Buffer.from('b'.repeat(300)));
    f.close();
    for (const p of [path, `${path}.1`, `${path}.2`]) expect(statSync(p).size).toBeLessThanOrEqual(100);
  });

  it('with 0 files kept, rotation starts a new file and keeps none', () => {
    const path = tempLog();
    const f = new LogFile(path, () => {}, { maxBytes: 30, maxFiles: 0 });
    f.write(Buffer.from(lines(1, 3)));
    f.write(Buffer.from(lines(4, 6)));
    f.close();
    expect(readFileSync(path, 'utf8')).toBe(lines(4, 6));
    expect(existsSync(`${path}.1`)).toBe(false);
  });

  it('a file keeps its identity through renames; each new file gets the next generation', () => {
    const path = tempLog();
    const f = new LogFile(path, () => {}, { maxBytes: 20, maxFiles: 1 });
    f.write(Buffer.from(lines(1, 2)));
    const first = identify(path, statSync(path).ino);
    f.write(Buffer.from(lines(3, 4)));
    const second = identify(path, statSync(path).ino);
    expect(identify(path, statSync(`${path}.1`).ino)).toBe(first);
    expect(parseIdentity(second)!.generation).toBe(parseIdentity(first)!.generation + 1);
    f.write(Buffer.from(lines(5, 6)));
    f.close();
    // The first file is gone; whatever inode the new one got, it is a new generation.
    const chain = logChain(path);
    expect(chain.map((c) => c.id)).toEqual([second, identify(path, statSync(path).ino)]);
    expect(chain[1]!.generation).toBe(parseIdentity(second)!.generation + 1);
  });
});
