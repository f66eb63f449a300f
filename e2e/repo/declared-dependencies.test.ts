// Every dependency a workspace package declares is one it uses: imported (or resolved) by its own files. A
// dependency nothing imports only slows installs and hides what really runs; the few used without an import are
// listed with the reason.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** Used without an import statement naming them. */
const USED_WITHOUT_IMPORT: Record<string, string> = {
  bufferutil: 'ws loads it by itself to mask frames faster',
  'react-dom': 'the peer @testing-library/react renders with',
  '@testing-library/dom': 'the peer @testing-library/react queries with',
};

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|tsx|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

function workspaces(): string[] {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(ROOT, group)).map((name) => join(ROOT, group, name)).filter((dir) => statSync(join(dir, 'package.json'), { throwIfNoEntry: false })),
  );
}

describe('declared dependencies', () => {
  it('every package imports each of its dependencies', () => {
    const unused: string[] = [];
    for (const dir of workspaces()) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
      const text = sourceFiles(dir).map((f) => readFileSync(f, 'utf8')).join('\n');
      for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
        if (dep.startsWith('@types/') || Object.hasOwn(USED_WITHOUT_IMPORT, dep)) continue;
        const quoted = dep.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        const used = new RegExp(`['"]${quoted}(/[^'"]*)?['"]`).test(text);
        if (!used) unused.push(`${pkg.name}: ${dep}`);
      }
    }
    expect(unused).toEqual([]);
  });
});
