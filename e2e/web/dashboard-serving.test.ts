// How the server serves the built dashboard (packages/server/src/features/web-dashboard.ts): files with
// their content types, index.html for client routes, immutable caching for hashed assets, 304s, no path
// traversal, the "run npm run build:web" page without a build, and JSON 404s kept for the API and for any unknown
// path that is not a page load.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { createWebDashboardHandler } from '../../packages/server/src/features/web-dashboard';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What a browser sends when it loads a page. */
const NAVIGATE = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** A raw request: the path goes on the wire as written (fetch would normalize `..`). */
function raw(port: number, path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(distDir: string): Promise<{ server: Server; port: number }> {
  const handle = createWebDashboardHandler({ distDir });
  const server = createServer((req, res) => {
    void handle(req, res, new URL(req.url ?? '/', 'http://localhost')).then((done) => {
      if (!done) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found"}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('serving the built dashboard', () => {
  let root: string;
  let dist: string;
  let built: { server: Server; port: number };
  let missing: { server: Server; port: number };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'switchboard-dist-'));
    dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>dash</title>');
    writeFileSync(join(dist, 'assets', 'index-Ab12Cd34.js'), 'console.log(1)');
    writeFileSync(join(dist, 'assets', 'index-Ab12Cd34.css'), 'body{}');
    writeFileSync(join(root, 'secret.txt'), 'outside the dist dir');
    built = await serve(dist);
    missing = await serve(join(root, 'nope'));
  });

  afterAll(async () => {
    for (const s of [built, missing]) await new Promise((r) => s?.server.close(r));
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / and for client routes, never cached for long', { timeout: 10_000 }, async () => {
    for (const path of ['/', '/instances', '/plans/plan-123', '/index.html']) {
      const a = await raw(built.port, path, { headers: NAVIGATE });
      expect(a.status, path).toBe(200);
      expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(a.headers['cache-control']).toBe('no-cache');
      expect(a.body).toContain('<title>dash</title>');
    }
  });

  it('serves hashed assets with their content type, immutable caching and 304 on a matching ETag', { timeout: 10_000 }, async () => {
    const js = await raw(built.port, '/assets/index-Ab12Cd34.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe('console.log(1)');
    const css = await raw(built.port, '/assets/index-Ab12Cd34.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const again = await raw(built.port, '/assets/index-Ab12Cd34.js', { headers: { 'if-none-match': String(js.headers.etag) } });
    expect(again.status).toBe(304);
    const head = await raw(built.port, '/assets/index-Ab12Cd34.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String('console.log(1)'.length));
  });

  it('never reads outside the dist directory', { timeout: 10_000 }, async () => {
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/%00']) {
      const a = await raw(built.port, path, { headers: NAVIGATE });
      expect(a.body, path).not.toContain('outside the dist dir');
      expect([404, 200], path).toContain(a.status);
      if (a.status === 200) expect(a.body, path).toContain('<title>dash</title>');
    }
  });

  it('leaves missing assets, other methods, /api and /ws paths to the JSON 404', { timeout: 10_000 }, async () => {
    for (const [method, path] of [['GET', '/assets/index-gone1234.js'], ['GET', '/favicon.ico'], ['POST', '/'], ['GET', '/api/nope'], ['GET', '/ws/nope']]) {
      const a = await raw(built.port, path!, { method });
      expect(a.status, `${method} ${path}`).toBe(404);
      expect(a.headers['content-type'], `${method} ${path}`).toBe('application/json');
    }
  });

  it('gives the page only to navigations: other unknown paths are 404, / is the page for anyone', { timeout: 10_000 }, async () => {
    for (const headers of [{}, { accept: '*/*' }, { accept: 'application/json' }, { accept: 'text/plain' }] as Array<Record<string, string>>) {
      for (const path of ['/nowhere', '/instances', '/plans/plan-123']) {
        const a = await raw(built.port, path, { headers });
        expect(a.status, `${path} ${JSON.stringify(headers)}`).toBe(404);
      }
      expect((await raw(built.port, '/', { headers })).status).toBe(200);
      expect((await raw(built.port, '/index.html', { headers })).status).toBe(200);
    }
    expect((await raw(built.port, '/instances', { headers: { 'sec-fetch-mode': 'navigate', accept: '*/*' } })).status).toBe(200);
    // A navigation to a missing file is still a 404: /favicon.ico is not a page.
    expect((await raw(built.port, '/favicon.ico', { headers: NAVIGATE })).status).toBe(404);
  });

  it('answers / with how to build the dashboard when there is no build', { timeout: 10_000 }, async () => {
    const a = await raw(missing.port, '/');
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(a.body).toContain('npm run build:web');
  });
});

describe('the dashboard on a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers HTML to page loads and the registry 404 to everything else unknown', { timeout: 10_000 }, async () => {
    const page = await raw(server.port, '/workspaces', { headers: NAVIGATE });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const path of ['/api/does-not-exist', '/api/nope', '/nowhere', '/favicon.ico', '/workspaces']) {
      const a = await raw(server.port, path, { headers: { accept: '*/*' } });
      expect(a.status, path).toBe(404);
      expect(a.headers['content-type'], path).toMatch(/^application\/json/);
      expect(JSON.parse(a.body), path).toMatchObject({ error: { code: 'not_found' } });
    }
    expect((await raw(server.port, '/nowhere', { headers: NAVIGATE })).status).toBe(200);
  });
});
