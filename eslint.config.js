// Lint: typescript-eslint's recommended rules over src, test, bench, scripts, and the layers of
// src/ as import rules (docs/architecture.md): each folder may import only the layers below it.
// test/lint/layers.test.ts proves every rule fails on a probe file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The Bot Framework SDK and the HTTP server: only src/teams/ (and src/server.ts for restify) know them. */
const SDK = ['botbuilder', 'botbuilder-*', 'botframework-*', 'restify', 'restify-*'];
/** Drivers and process-wide plumbing: only the incidents layer and the composition root. */
const DRIVERS = ['pg', 'pg-*', 'better-sqlite3'];
const PROCESS = ['pino', 'prom-client'];
/** An import of another src/ folder, from anywhere below src/. */
const folder = (name) => [`**/${name}`, `**/${name}/**`];
/** The top-level modules of src/ that only the composition root (src/index.ts) wires together. */
const ROOT_MODULES = ['**/log.js', '**/metrics.js', '**/server.js', '**/config.js', '**/entry-point.js'];

const forbid = (message, group, options = {}) => ({ group, message, ...options });

/** One layer: the folders it may not import, with the reason a reader sees in the lint error. */
function layer(files, forbidden) {
  return {
    files,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: forbidden }] },
  };
}

const sdk = forbid('Only src/teams/ talks to the Bot Framework SDK, and only src/server.ts to restify (docs/architecture.md).', SDK);

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
  // Everything under src/ except the layers below: no SDK outside teams/ and server.ts.
  layer(['src/**/*.ts'], [forbid('Only src/teams/ talks to the Bot Framework SDK (docs/architecture.md).', ['botbuilder', 'botbuilder-*', 'botframework-*'])]),
  // The composition root wires every layer together: it may name the SDK's types, never call it.
  layer(['src/index.ts', 'src/alert-wiring.ts'], [forbid('The composition root names SDK types only; src/teams/ calls the SDK (docs/architecture.md).', ['botbuilder', 'botbuilder-*', 'botframework-*'], { allowTypeImports: true })]),
  layer(['src/server.ts'], [forbid('src/server.ts knows HTTP only; the Teams endpoint arrives as a function (docs/architecture.md).', ['botbuilder', 'botbuilder-*', 'botframework-*', ...folder('teams')])]),
  layer(['src/core/**/*.ts'], [
    sdk,
    forbid('src/core/ is pure: it imports only src/core/ (docs/architecture.md).', [
      ...folder('cards'), ...folder('incidents'), ...folder('teams'), ...folder('diagnosis'), ...folder('alerts'), ...folder('cli'), ...ROOT_MODULES,
    ]),
    forbid('src/core/ does no I/O of its own: drivers, logs and metrics are passed in (docs/architecture.md).', [...DRIVERS, ...PROCESS]),
  ]),
  layer(['src/cards/**/*.ts'], [
    sdk,
    forbid('src/cards/ renders data: it imports src/core/ and nothing above it (docs/architecture.md).', [
      ...folder('teams'), ...folder('diagnosis'), ...folder('alerts'), ...folder('cli'), ...ROOT_MODULES, ...DRIVERS, ...PROCESS,
    ]),
    forbid('src/cards/ may use the incidents\' types, never their code (docs/architecture.md).', folder('incidents'), { allowTypeImports: true }),
  ]),
  layer(['src/incidents/**/*.ts'], [
    sdk,
    forbid('src/incidents/ stores and delivers: it never imports the Teams layer, the cards or the other edges (docs/architecture.md).', [
      ...folder('teams'), ...folder('cards'), ...folder('diagnosis'), ...folder('alerts'), ...folder('cli'), ...ROOT_MODULES, ...PROCESS,
    ]),
  ]),
  layer(['src/diagnosis/**/*.ts'], [
    sdk,
    forbid('src/diagnosis/ runs the matcher off the event loop: it imports only src/core/ (docs/architecture.md).', [
      ...folder('teams'), ...folder('cards'), ...folder('incidents'), ...folder('alerts'), ...folder('cli'), ...ROOT_MODULES, ...DRIVERS, ...PROCESS,
    ]),
  ]),
  layer(['src/alerts/**/*.ts'], [
    sdk,
    forbid('src/alerts/ turns alerts into incidents: it imports src/core/ and src/incidents/, never the Teams layer or the cards (docs/architecture.md).', [
      ...folder('teams'), ...folder('cards'), ...folder('diagnosis'), ...folder('cli'), ...ROOT_MODULES, ...DRIVERS, ...PROCESS,
    ]),
  ]),
  layer(['src/cli/**/*.ts'], [
    sdk,
    forbid('The command-line tools use the core only (docs/architecture.md).', [
      ...folder('teams'), ...folder('cards'), ...folder('incidents'), ...folder('diagnosis'), ...folder('alerts'), '**/log.js', '**/metrics.js', '**/server.js', '**/config.js', ...DRIVERS, ...PROCESS,
    ]),
  ]),
  layer(['src/teams/**/*.ts'], [
    forbid('src/teams/ is reached from the composition root; it never imports the HTTP server, the CLIs or the entry point (docs/architecture.md).', [
      ...folder('cli'), '**/server.js', '**/index.js', '!**/core/index.js', '!**/incidents/index.js', '!**/actions/index.js', '!**/message-extension/index.js', '**/entry-point.js', 'restify', 'restify-*', ...DRIVERS,
    ]),
  ]),
);
