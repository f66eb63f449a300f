// docs/errors.md and the error registry must agree: a section per code, no section without a code, and the
// status, retry and close code each section states match the registry (STYLE: Errors).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLOSE } from '../src/close-codes';
import { ERRORS, type ErrorCode } from '../src/errors';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/errors.md', import.meta.url)), 'utf8');
const CODES = Object.keys(ERRORS) as ErrorCode[];

/** `## code` sections with their text, up to the next heading of level 1 or 2. */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = markdown.split(/^(?=#{1,2} )/m);
  for (const part of parts) {
    const m = /^## (.+)\n/.exec(part);
    if (!m) continue;
    const name = m[1]!.trim();
    if (out.has(name)) throw new Error(`docs/errors.md has two sections named ${name}`);
    out.set(name, part);
  }
  return out;
}

function field(section: string, label: string): string | undefined {
  return new RegExp(`^- \\*\\*${label}:\\*\\* (.+)$`, 'm').exec(section)?.[1]?.trim();
}

const bySection = sections(doc);

describe('docs/errors.md', () => {
  it('has a section for every code in the registry', () => {
    expect(CODES.filter((code) => !bySection.has(code))).toStrictEqual([]);
  });

  it('has no section for a code the registry does not know', () => {
    expect([...bySection.keys()].filter((name) => !Object.hasOwn(ERRORS, name))).toStrictEqual([]);
  });

  it('lists the codes in registry order', () => {
    expect([...bySection.keys()]).toStrictEqual(CODES);
  });

  it.each(CODES)('states the HTTP status, retry and close code of %s as the registry does', (code) => {
    const section = bySection.get(code) ?? '';
    const { status, retryable, endsConnection } = ERRORS[code];
    expect(field(section, 'HTTP status')).toBe(String(status));
    expect(field(section, 'Retryable')).toBe(retryable ? 'yes' : 'no');
    const close = field(section, 'Close code');
    // The registry's "ends the connection" column: the close code when it does, "none" when it never does.
    expect(close, `close code of ${code}`).toBe(endsConnection ? String(4000 + status) : 'none');
    // Beyond the three facts, each section says when Switchboard uses the code.
    expect(section.split('\n').filter((l) => l.trim() && !l.startsWith('#') && !l.startsWith('- **')).length).toBeGreaterThan(0);
  });

  it('has a row for every WebSocket close code, and only those', () => {
    const rows = [...doc.matchAll(/^\| (\d{4}) \| (\w+) \|/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toStrictEqual(Object.entries(CLOSE).map(([name, code]) => [code, name]));
  });
});
