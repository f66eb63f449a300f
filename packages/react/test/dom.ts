// A jsdom document for the hook tests, installed on the globals React DOM and Testing Library use. Imported
// first by each hook test file, which otherwise runs in vitest's `node` environment: the built-in `jsdom`
// environment transforms modules for the browser, so `ws` resolves to its browser stub and testkit's
// `new URL('.', import.meta.url)` becomes a page URL, and the real server cannot start. Only DOM globals are
// added; Node's URL, fetch, AbortController and timers stay, so the SDK and the server run as in Node.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://127.0.0.1/', pretendToBeVisual: true });
const win = dom.window as unknown as Record<string, unknown>;
const g = globalThis as unknown as Record<string, unknown>;

g.window = dom.window;
g.document = dom.window.document;
for (const key of [
  'navigator',
  'HTMLElement',
  'HTMLIFrameElement',
  'Element',
  'Node',
  'Text',
  'DocumentFragment',
  'MutationObserver',
  'getComputedStyle',
  'requestAnimationFrame',
  'cancelAnimationFrame',
]) {
  const value = win[key];
  if (key in g && key === 'navigator') continue; // Node ≥ 21 has its own; keep it
  g[key] = typeof value === 'function' && !/^[A-Z]/.test(key) ? (value as (...a: unknown[]) => unknown).bind(dom.window) : value;
}
g.IS_REACT_ACT_ENVIRONMENT = true;
