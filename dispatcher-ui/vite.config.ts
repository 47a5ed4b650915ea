import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const API = process.env.LIFELINE_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    // The server serves this folder at '/'.
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // maplibre-gl alone is ~800 kB minified; it is one cached download for a full-day console.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': API,
      '/healthz': API,
      '/socket.io': { target: API, ws: true },
    },
  },
});
