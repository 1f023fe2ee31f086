// Lint: typescript-eslint's recommended rules, plus the type-aware ones that catch real bugs in
// async code (a promise nobody awaits, an await on a non-promise).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.tools/**',
      'bench/**',
      'bin/**',
      'test/fixtures/**',
      'examples/**',
      'completions/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  // node:test's describe/it return promises the runner tracks itself: only source code must not float one.
  { files: ['src/**/*.ts'], rules: { '@typescript-eslint/no-floating-promises': 'error' } },
);
