import { defineConfig } from 'vitest/config';

// Unit tests sit next to the code; integration and browser suites live in tests/.
// Everything runs inside the loopback-only namespace that scripts/test.mjs sets up.
export default defineConfig({
  test: {
    include: ['{protocol,offscreen,settings,background,ui,content,signaling}/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['tests/support/global-setup.ts'],
    pool: 'forks',
    // Browser and WebRTC suites are CPU-heavy on 2 cores; keep files from starving each other.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
