// The web dashboard (README.md#dashboard) at `/`: the files Vite built into apps/web/dist, with the index.html fallback
// for client routes (/instances, /plans/:id, …) on navigations only, content types, immutable caching of hashed
// assets, and no way out of the dist directory. Without a build, `/` explains how to make one.

import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from '../app';

/** Where `npm run build:web` writes the dashboard. */
export const WEB_DIST_DIR = resolve(fileURLToPath(import.meta.url), '../../../../../apps/web/dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names built assets `name-<hash>.ext` under assets/: their content never changes under that name. */
const HASHED_ASSET = /^\/assets\/.+-[\w-]{8,}\.\w+$/;

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>Switchboard is running</h1>
<p>The web dashboard has not been built. From the repository root run:</p>
<pre style="background:#f3f4f6;padding:.75rem;border-radius:6px">npm run build:web</pre>
<p>then reload this page. <code>npm start</code> builds it for you. The REST API and the WebSocket streams work
without it: try <a href="/api/healthz">/api/healthz</a>.</p>
</body></html>
`;

export interface WebDashboardOptions {
  /** Directory of the built dashboard. @default WEB_DIST_DIR */
  distDir?: string;
}

/**
 * Serve GET/HEAD requests that no REST route took: a file of `distDir` when the path names one, otherwise
 * `index.html` (client-side routes) to a browser navigating there. Returns false for what is not the dashboard's
 * (other methods, `/api/*`, `/ws/*`, paths with a file extension that does not exist, and unknown paths asked
 * for by anything but a navigation: `curl /metrics` or a script's fetch), so those keep the registry's JSON 404.
 */
export function createWebDashboardHandler(options: WebDashboardOptions = {}) {
  const root = resolve(options.distDir ?? WEB_DIST_DIR);
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = url.pathname;
    if (path.startsWith('/api/') || path === '/api' || path.startsWith('/ws/')) return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return false;
    }
    if (decoded.includes('\0')) return false;
    // Resolve inside root only: normalize collapses `..`, and the prefix check refuses anything that escaped.
    const file = resolve(root, `.${normalize(`/${decoded}`)}`);
    if (file !== root && !file.startsWith(root + sep)) return false;

    const found = file === root ? null : await fileStats(file);
    if (found) {
      send(req, res, file, found, HASHED_ASSET.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      return true;
    }
    // A missing file with an extension (a stale asset, /favicon.ico) is a 404, not the app's page.
    if (extname(decoded) !== '' && extname(decoded) !== '.html') return false;
    // `/` is the dashboard whoever asks; another unknown path is a client route only for a page load.
    if (path !== '/' && !isNavigation(req)) return false;
    const index = join(root, 'index.html');
    const indexStats = await fileStats(index);
    if (indexStats) {
      send(req, res, index, indexStats, 'no-cache');
      return true;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(NOT_BUILT_PAGE) });
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
    return true;
  };
}

/** A browser loading a page: it asks for HTML (Accept), or says so (Sec-Fetch-Mode: navigate). */
function isNavigation(req: IncomingMessage): boolean {
  if (req.headers['sec-fetch-mode'] === 'navigate') return true;
  const accept = req.headers.accept ?? '';
  return /(^|,)\s*(text\/html|application\/xhtml\+xml)\s*(;|,|$)/i.test(accept);
}

async function fileStats(file: string): Promise<Stats | null> {
  try {
    const s = await stat(file);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

function send(req: IncomingMessage, res: ServerResponse, file: string, stats: Stats, cacheControl: string): void {
  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  const headers: Record<string, string | number> = {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'cache-control': cacheControl,
    etag,
    'last-modified': stats.mtime.toUTCString(),
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': stats.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** The feature: registers the dashboard as the server's fallback for unmatched GET requests. */
export function webDashboard(app: App): void {
  app.setFallback(createWebDashboardHandler());
}
