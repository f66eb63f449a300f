// The approval summary (approvals/summary.ts): secrets masked wherever they appear in tool input, and bounded.

import { describe, expect, it } from 'vitest';
import { MAX_APPROVAL_SUMMARY_LENGTH } from '@switchboard/protocol';
import { cleanSummary, summarizeInput } from '../src/approvals/summary';

describe('approval summaries', () => {
  it.each<[string, string]>([
    ['curl -H "Authorization: Bearer abcdefghij123"', 'abcdefghij123'],
    ['GITHUB_TOKEN=ghx123secret gh pr create', 'ghx123secret'],
    ['export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI', 'wJalrXUtnFEMI'],
    ['mysql --password=hunter22 db', 'hunter22'],
    ['mysql --password hunter22 db', 'hunter22'],
    ['git clone https://me:p4ssw0rd@github.com/x/y', 'p4ssw0rd'],
    ['fetch https://api.example.com/v1?api_key=k3y&x=1', 'k3y'],
    ['echo eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig_sig_sig', 'eyJzdWIiOiJ4In0'],
    ['use sk-proj-abcdefghijklmnop1234', 'abcdefghijklmnop1234'],
    ['token ghp_abcdefghijklmnopqrstuvwxyz012345', 'abcdefghijklmnopqrstuvwxyz'],
    ['AKIAIOSFODNN7EXAMPLE is the key', 'AKIAIOSFODNN7EXAMPLE'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----', 'MIIEow'],
    [`blob ${'Zm9v'.repeat(15)}`, 'Zm9vZm9v'],
  ])('masks the secret in %j', (text, secret) => {
    expect(cleanSummary(text)).not.toContain(secret);
    expect(summarizeInput({ command: text })).not.toContain(secret);
  });

  it('masks fields named like secrets whole and keeps the rest readable', () => {
    const s = summarizeInput({ command: 'npm test', env: { API_KEY: 'plain-looking', HOME: '/home/me' }, password: 'x', headers: { Cookie: 'a=b' } });
    expect(s).toBe('command: npm test, env: {API_KEY: ****, HOME: /home/me}, password: ****, headers: {Cookie: ****}');
  });

  it('is one bounded line whatever the input', () => {
    const s = summarizeInput({ content: 'line\n'.repeat(10_000), list: Array.from({ length: 100 }, (_, i) => i), deep: { a: { b: { c: { d: 1 } } } } });
    expect(s.length).toBeLessThanOrEqual(MAX_APPROVAL_SUMMARY_LENGTH);
    expect(s).not.toContain('\n');
    expect(cleanSummary('word '.repeat(5000)).length).toBe(MAX_APPROVAL_SUMMARY_LENGTH);
    expect(cleanSummary('x'.repeat(5000))).toBe('****'); // one long unbroken run looks like a key
    expect(summarizeInput({ deep: { a: { b: { c: 1 } } } })).toBe('deep: {a: {b: {…}}}');
    expect(summarizeInput(['a', 1, null])).toBe('[a, 1, null]');
    // Cut on code points, never inside a surrogate pair.
    expect(cleanSummary('🙂'.repeat(400))).toBe(`${'🙂'.repeat(MAX_APPROVAL_SUMMARY_LENGTH - 1)}…`);
  });
});
