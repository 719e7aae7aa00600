import { defineConfig } from 'wxt';

// Entrypoints live in extension/ and stay thin; the engine is in offscreen/ and protocol/.
export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'extension',
  publicDir: 'public',
  outDir: '.output',
  manifest: {
    name: 'Porchlight',
    description: 'Share your home connection with journalists and researchers, one click.',
    permissions: [],
  },
});
