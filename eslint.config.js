import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'hptune/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    // Plain Node scripts (benchmarks, fixtures): Node's globals.
    files: ['**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'performance', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'queueMicrotask', 'structuredClone', 'AbortController', 'TextEncoder', 'TextDecoder', 'WebAssembly', 'fetch'].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    // CommonJS files: the packages' require() fallback (esm-only.cjs) and the consumer test's require check.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Only the CLI, the trainer's entry and scripts talk to a terminal; core emits events.
    files: ['packages/cli/src/**', 'packages/trainer/src/**', 'scripts/**', 'packages/*/scripts/**', 'examples/**', '**/test/fixtures/**', 'packages/testing/src/**'],
    rules: { 'no-console': 'off' },
  },
);
