// The JavaScript linter's rules (npm run lint, and a stage of npm test): ESLint's recommended set
// for the page, the worker, the scripts and the tests.
import js from '@eslint/js';
import globals from 'globals';

export default [
  js.configs.recommended,
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.browser, ...globals.worker, ...globals.node } },
  },
  // The page tests' helpers, defined in the page by tests/e2e/helpers.mjs and tests/firefox/helpers.mjs.
  { files: ['tests/e2e/**', 'tests/firefox/**'], languageOptions: { globals: { $pg: 'readonly', $playgrounds: 'readonly', $grey: 'readonly' } } },
  { ignores: ['pkg/**', 'dist/**', 'node_modules/**', 'test-results/**', 'out/**'] },
];
