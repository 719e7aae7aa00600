import { defineConfig } from 'vitest/config';

// Unit tests sit next to the code; integration and browser suites live in tests/.
// Everything runs inside the loopback-only namespace that scripts/test.mjs sets up.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['tests/support/global-setup.ts'],
    pool: 'forks',
    // Browser and WebRTC suites are CPU-heavy on 2 cores; keep files from starving each other.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{protocol,offscreen,settings,background,ui,content,signaling}/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['tests/integration/**/*.test.ts', 'tests/browser/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        // Contracts against anvil, the chain tooling, the oracle and relayer services, the reward arithmetic.
        extends: true,
        test: { name: 'chain', include: ['{contracts,chain,services,economy}/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        // The extension suites share the test origin's fixed port (build-time: test builds allow exactly
        // one origin) and each drives whole browsers: one file at a time, after the others.
        extends: true,
        test: { name: 'extension', include: ['tests/extension/**/*.test.ts'], poolOptions: { forks: { singleFork: true } }, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
