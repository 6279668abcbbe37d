// Lint: typescript-eslint's recommended type-aware-free rules over src, test, bench, scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'coverage/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/cards/**/*.ts'],
    rules: {
      // The core and the cards stay independent of the Bot Framework SDK (see STYLE.md).
      'no-restricted-imports': ['error', { patterns: ['botbuilder*', 'restify*', '**/teams/**'] }],
    },
  },
  {
    files: ['src/alerts/**/*.ts'],
    rules: {
      // Alerts are parsed, deduplicated and polled without Teams or HTTP framework: teams/ posts them.
      'no-restricted-imports': ['error', { patterns: ['botbuilder*', 'botframework-*', 'restify*', '**/teams/**', '**/cards/**'] }],
    },
  },
);
