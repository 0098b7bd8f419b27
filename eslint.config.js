// Lint: typescript-eslint's recommended rules, plus the architecture's dependency rules per folder
// (STYLE.md "Dependencies point inward").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const forbid = (patterns, message) => ({ 'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: forbid(['@slack/*', 'knex', 'pg', 'sqlite3', 'pino', 'node:*', '../store/*', '../bot/*', '../ingest/*', '../tickets/*', '../reports/*'], 'The domain is pure: no Slack, database, logger or I/O.'),
  },
  {
    files: ['src/store/**/*.ts'],
    rules: forbid(['@slack/*', '../bot/*', '../ingest/*', '../tickets/*'], 'The store knows the database only.'),
  },
  {
    files: ['src/ingest/**/*.ts', 'src/tickets/**/*.ts'],
    rules: forbid(['@slack/*', 'knex', '../bot/*'], 'Use cases call the store through its interface and never Slack directly.'),
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts', 'src/cli.ts', 'src/demo/**', 'src/emulator/**'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only src/main.ts reads process.env.' }] },
  },
);
