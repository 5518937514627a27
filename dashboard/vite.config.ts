import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/**
 * The catalogue (`@gridwatch/devices`) is a workspace package published as TypeScript
 * source and safe in the browser: Vite resolves it through its package exports and
 * transpiles it like our own code.
 */
export default defineConfig({
  plugins: [vue()],
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
