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
    // Only the CLI, the trainer's entry and scripts talk to a terminal; core emits events.
    files: ['packages/cli/src/**', 'packages/trainer/src/**', 'scripts/**', 'examples/**', '**/test/fixtures/**'],
    rules: { 'no-console': 'off' },
  },
);
