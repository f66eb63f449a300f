#!/usr/bin/env node
// The `switchboard` command. Sources are TypeScript; tsx compiles them on load so
// `npm install && npm start` needs no separate build step for the server.

// React and Ink pick their build from NODE_ENV when first loaded; unset means the development build, which makes
// `switchboard tui` grow by hundreds of MB an hour and cost a quarter more CPU at a busy fleet's rate
// (docs/architecture.md, "Keeping up with a busy fleet"). Set it before anything imports them; an explicit value
// (NODE_ENV=development while working on the TUI) is kept.
if (!process.env.NODE_ENV) process.env.NODE_ENV = 'production';

const { register } = await import('tsx/esm/api');

register();
await import('../src/main.ts');
