// The console's production build (`npm run build:console`, run by `npm install`):
// everything the page needs — scripts, styles, the Japanese font — is bundled
// into apps/console/dist, which `kansa serve` serves at `/`; nothing is loaded
// from outside the machine at run time.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // No public folder: every asset is imported by the code and hashed.
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Fonts stay files of their own (never inlined as data: URLs).
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8470', '/health': 'http://127.0.0.1:8470' } },
});
