// Preloaded (`node --import`) into a `switchboard` process by the production-build test: on exit it writes the NODE_ENV
// the process ended with and which React builds it loaded (CommonJS files in the module cache) to
// $REACT_BUILD_REPORT, so the test sees what a user's process ran rather than what the test's own env says. Only
// modules that ran count: Node's ESM loader also caches, unloaded, every file a CommonJS module's `require` names
// (both branches of React's `NODE_ENV` switch) while it looks for the module's export names.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const target = process.env.REACT_BUILD_REPORT;
if (target) {
  process.on('exit', () => {
    const builds = Object.entries(require.cache).filter(([file, m]) => m?.loaded && /[\\/]node_modules[\\/].*\.(production|development)(\.min)?\.js$/.test(file)).map(([file]) => file);
    writeFileSync(target, JSON.stringify({ nodeEnv: process.env.NODE_ENV ?? null, builds }));
  });
}
