// Vite build of the dashboard: `npm run build:web` writes apps/web/dist, which `switchboard serve` serves at `/`.
// In `npm run dev -w @switchboard/web`, API and stream requests are proxied to a server on 127.0.0.1:8000.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const target = process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:8000';

export default defineConfig(({ command }) => {
  // What `build` writes is what every user gets, so it is React's production build whatever NODE_ENV the shell or a
  // test runner (vitest sets "test") left behind: development code paths cost several times the CPU per render
  // (docs/architecture.md, "Keeping up with a busy fleet"). Vite reads NODE_ENV after loading this file.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    plugins: [react()],
    base: '/',
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      sourcemap: true,
      chunkSizeWarningLimit: 800,
    },
    server: {
      proxy: {
        '/api': target,
        '/ws': { target: target.replace(/^http/, 'ws'), ws: true },
      },
    },
  };
});
