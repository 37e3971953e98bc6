import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The UI calls the backend on its own origin under /api, so in dev and preview the
// backend is reached through this proxy; in production a reverse proxy does the same.
const apiTarget = process.env.MYCO_API_URL ?? 'http://127.0.0.1:3000';
const proxy = { '/api': { target: apiTarget, changeOrigin: true } };

export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
  build: { outDir: 'dist', sourcemap: true },
});
