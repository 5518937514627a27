import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const devicesSrc = fileURLToPath(new URL('../devices/src', import.meta.url));

/**
 * The catalogue is a workspace package published as TypeScript source: alias its subpaths
 * straight to the files so Vite transpiles them like our own. The package index is not
 * used in the browser (it re-exports node:crypto helpers).
 */
export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: [{ find: /^@gridwatch\/devices\/(.*)$/, replacement: `${devicesSrc}/$1.ts` }],
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/socket.io': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
});
