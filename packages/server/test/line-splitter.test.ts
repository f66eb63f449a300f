// The pure line splitter and the backwards tail reader: partial lines, CRLF, UTF-8 split across reads, long lines.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineSplitter, utf8Boundary } from '../src/logs/line-splitter';
import { readTail } from '../src/logs/tail-reader';

/** Feed `chunks` and collect every line. */
function split(chunks: Array<string | Buffer>, max?: number): { lines: string[]; pending: number } {
  const s = new LineSplitter(max);
  const lines = chunks.flatMap((c) => s.push(typeof c === 'string' ? Buffer.from(c) : c));
  return { lines, pending: s.pendingBytes };
}

describe('LineSplitter', () => {
  const euro = Buffer.from('€'); // 3 bytes
  const cases: Array<{ name: string; chunks: Array<string | Buffer>; lines: string[]; pending: number }> = [
    { name: 'complete lines in one chunk', chunks: ['a\nb\n'], lines: ['a', 'b'], pending: 0 },
    { name: 'a partial last line waits', chunks: ['a\nbc'], lines: ['a'], pending: 2 },
    { name: 'a line split across chunks comes out whole', chunks: ['ab', 'cd', 'e\nf'], lines: ['abcde'], pending: 1 },
    { name: 'empty lines are kept', chunks: ['\n\nx\n'], lines: ['', '', 'x'], pending: 0 },
    { name: 'CRLF endings lose the CR', chunks: ['a\r\nb\r', '\n'], lines: ['a', 'b'], pending: 0 },
    {
      name: 'a multi-byte character split across chunks is decoded whole',
      chunks: [Buffer.concat([Buffer.from('5'), euro.subarray(0, 1)]), euro.subarray(1, 2), Buffer.concat([euro.subarray(2), Buffer.from('\n')])],
      lines: ['5€'],
      pending: 0,
    },
    { name: 'a chunk ending right at a newline leaves nothing pending', chunks: ['x\n', 'y\n'], lines: ['x', 'y'], pending: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(split(c.chunks)).toEqual({ lines: c.lines, pending: c.pending });
    });
  }

  it('cuts a line longer than the limit at a character boundary, never inside a character', () => {
    // a b € € c d = 1+1+3+3+1+1 bytes; each cut backs up out of the character it would split.
    expect(split(['ab€€cd'], 4)).toEqual({ lines: ['ab', '€', '€c'], pending: 1 });
  });

  it('end() returns the unfinished line once; reset() drops it; prime() seeds it', () => {
    const s = new LineSplitter();
    s.push(Buffer.from('tail without newline'));
    expect(s.end()).toEqual(['tail without newline']);
    expect(s.end()).toEqual([]);
    s.push(Buffer.from('dropped'));
    s.reset();
    expect(s.push(Buffer.from('x\n'))).toEqual(['x']);
    s.prime(Buffer.from('start of '));
    expect(s.push(Buffer.from('line\n'))).toEqual(['start of line']);
  });

  it('does not keep a reference to the caller buffer it may reuse', () => {
    const s = new LineSplitter();
    const buf = Buffer.from('abc');
    s.push(buf);
    buf.write('XYZ');
    expect(s.push(Buffer.from('\n'))).toEqual(['abc']);
  });

  it('utf8Boundary backs up to the start of the cut character', () => {
    const b = Buffer.from('a€b');
    expect([0, 1, 2, 3, 4, 5].map((i) => utf8Boundary(b, i))).toEqual([0, 1, 1, 1, 4, 5]);
  });
});

describe('readTail', () => {
  async function tailOf(text: string | Buffer, maxLines: number, maxBytes = 1 << 20) {
    const dir = mkdtempSync(join(tmpdir(), 'tail-'));
    const path = join(dir, 'f.log');
    writeFileSync(path, text);
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const t = await readTail(fh, size, maxLines, maxBytes);
      return { lines: t.lines, partial: t.partial.toString() };
    } finally {
      await fh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('returns the last N complete lines and the unfinished one separately', async () => {
    expect(await tailOf('1\n2\n3\n4\npart', 2)).toEqual({ lines: ['3', '4'], partial: 'part' });
    expect(await tailOf('1\n2\n', 5)).toEqual({ lines: ['1', '2'], partial: '' });
    expect(await tailOf('', 5)).toEqual({ lines: [], partial: '' });
    expect(await tailOf('only partial', 5)).toEqual({ lines: [], partial: 'only partial' });
    expect(await tailOf('a\nb\n', 0)).toEqual({ lines: [], partial: '' });
  });

  it('reads across chunk boundaries (64 KiB) without splitting lines or characters', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${'é'.repeat(20)} line ${i}`);
    const got = await tailOf(lines.join('\n') + '\n', 1000);
    expect(got.lines).toEqual(lines.slice(-1000));
  });

  it('stops near maxBytes, leaving out lines it could not prove complete', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `${'x'.repeat(1000)}${i}`);
    const got = await tailOf(lines.join('\n') + '\n', 100, 10_000);
    expect(got.lines.length).toBeGreaterThan(5);
    expect(got.lines.length).toBeLessThan(100);
    expect(got.lines).toEqual(lines.slice(-got.lines.length));
  });
});

describe('LineSplitter positions (docs/control-plane.md "Exact log resume")', () => {
  it('reports the stream offset after each line, across chunks, cut lines and the final partial line', () => {
    const s = new LineSplitter(8);
    s.reset(100);
    const ends: number[] = [];
    expect(s.push(Buffer.from('ab\ncd'), ends)).toEqual(['ab']);
    expect(ends).toEqual([103]);
    expect(s.position).toBe(103);
    expect(s.push(Buffer.from('e\r\n0123456789'), ends)).toEqual(['cde', '01234567']);
    expect(ends).toEqual([103, 108, 116]);
    expect(s.end(ends)).toEqual(['89']);
    expect(ends.at(-1)).toBe(118);
    expect(s.position).toBe(118);
    s.prime(Buffer.from('tail'), 50);
    expect(s.position).toBe(46);
  });
});
