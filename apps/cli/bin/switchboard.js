#!/usr/bin/env node
// The `switchboard` command. Sources are TypeScript; tsx compiles them on load so
// `npm install && npm start` needs no separate build step for the server.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
