import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Type tests (*.test-d.ts) are checked by `pnpm typecheck` (tsc fails on a wrong expectTypeOf),
    // not by vitest's experimental typecheck, which warns on every run.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
