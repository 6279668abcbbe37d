// Lint: typescript-eslint's recommended rules over src, test, bench, scripts, and the layers of
// src/ (docs/architecture.md) as one allow-list rule, `layers/imports`: every import a module of
// src/ makes (static, re-export, dynamic `import()`, `import('...')` types) is resolved to the
// folder or root module it reaches, and must be on that layer's list; packages are checked the same
// way. test/lint/layers.test.ts proves the rule refuses a probe file for each boundary.
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The Bot Framework SDK; only src/teams/ calls it (the composition root may name its types). */
const SDK = ['botbuilder', 'botbuilder-*', 'botframework-*'];
const HTTP = ['restify', 'restify-*'];
/** Database drivers: only the incidents layer. */
const DRIVERS = ['pg', 'pg-*', 'better-sqlite3'];
/** Process-wide plumbing: only log.ts, metrics.ts and the composition root. */
const PROCESS = ['pino', 'prom-client'];
/** Every layer of src/: the folders, and the root modules by their name without extension. */
const ALL = ['core', 'cards', 'incidents', 'diagnosis', 'alerts', 'teams', 'cli', 'index', 'alert-wiring', 'config', 'server', 'log', 'metrics', 'entry-point'];

/**
 * What each layer of src/ may import. `may`: layers of src/ (its own is always allowed);
 * `typesOnly`: layers (or `layer/module` for one module) it may name types from, never code;
 * `packages`: `{ only }` (an allow-list; `node:` modules included) or `{ never }` (a deny-list);
 * `sdkTypesOnly`: SDK packages may be imported as types only; `outside`: folders of the package
 * root (outside src/) it may import. `why` is what a reader sees in the lint error.
 */
const LAYERS = {
  core: {
    may: [],
    packages: { only: ['yaml', 'zod'] },
    why: 'src/core/ is pure: it imports only src/core/ and libraries without I/O (yaml, zod)',
  },
  cards: {
    may: ['core'],
    typesOnly: ['incidents/types'],
    packages: { never: [...SDK, ...HTTP, ...DRIVERS, ...PROCESS] },
    outside: ['cards'],
    why: "src/cards/ renders data: it imports src/core/ and the incidents' types, nothing above it",
  },
  incidents: {
    may: ['core'],
    packages: { never: [...SDK, ...HTTP, ...PROCESS] },
    why: 'src/incidents/ stores and delivers: it imports src/core/ and the drivers, never the Teams layer, the cards, the other edges or the composition root',
  },
  diagnosis: {
    may: ['core'],
    packages: { never: [...SDK, ...HTTP, ...DRIVERS, ...PROCESS] },
    why: 'src/diagnosis/ runs the matcher off the event loop: it imports only src/core/',
  },
  alerts: {
    may: ['core', 'incidents'],
    packages: { never: [...SDK, ...HTTP, ...DRIVERS, ...PROCESS] },
    why: 'src/alerts/ turns alerts into incidents: it imports src/core/ and src/incidents/, never the Teams layer, the cards or the composition root',
  },
  cli: {
    may: ['core', 'entry-point'],
    packages: { never: [...SDK, ...HTTP, ...DRIVERS, ...PROCESS] },
    why: 'the command-line tools use src/core/ and entry-point.ts only',
  },
  teams: {
    may: ['core', 'cards', 'incidents', 'diagnosis', 'alerts', 'config', 'log', 'metrics'],
    packages: { never: [...HTTP, ...DRIVERS] },
    why: 'src/teams/ is reached from the composition root; it never imports the HTTP server, the CLIs, the entry point or a driver',
  },
  server: {
    may: [],
    typesOnly: ['alerts', 'log', 'metrics'],
    packages: { never: [...SDK, ...DRIVERS, ...PROCESS] },
    why: 'src/server.ts knows HTTP only; the Teams endpoint and the alerts endpoint arrive as functions',
  },
  config: {
    may: ['core', 'incidents'],
    packages: { never: [...SDK, ...HTTP, ...DRIVERS, ...PROCESS] },
    why: 'src/config.ts reads the environment; it uses src/core/ and the incidents\' settings, nothing that runs',
  },
  log: { may: [], packages: { never: [...SDK, ...HTTP, ...DRIVERS] }, why: 'src/log.ts is the logger only' },
  metrics: { may: [], typesOnly: ['incidents/types'], packages: { never: [...SDK, ...HTTP, ...DRIVERS] }, why: 'src/metrics.ts is the registry only' },
  'entry-point': { may: [], packages: { never: [...SDK, ...HTTP, ...DRIVERS, ...PROCESS] }, why: 'src/entry-point.ts answers "am I the program?" and nothing else' },
  index: { may: ALL, packages: { never: DRIVERS }, sdkTypesOnly: true, why: 'the composition root names SDK types only; src/teams/ calls the SDK' },
  'alert-wiring': { may: ALL, packages: { never: DRIVERS }, sdkTypesOnly: true, why: 'the composition root names SDK types only; src/teams/ calls the SDK' },
};

/** Files of src/core/ that may read files: the catalog folders are read here, and only here. */
const CORE_FILE_READERS = { 'core/catalog-files.ts': ['node:fs', 'node:path', 'node:url', 'node:crypto', 'node:module', 'node:util'] };

const glob = (pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
const matchesAny = (name, patterns) => patterns.some((pattern) => glob(pattern).test(name));
const packageName = (source) => (source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0]);

/** `core`, `teams`, ... for a path inside src/ (relative to it); root modules by name; null outside. */
function layerOf(relative) {
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  const [first, ...rest] = relative.split(path.sep);
  return rest.length === 0 ? first.replace(/\.[cm]?[jt]sx?$/, '') : first;
}

/** How a module of src/ is named in an error: its folder, or the root module's file. */
const display = (relative) => (relative.includes(path.sep) ? `src/${relative.split(path.sep)[0]}/` : `src/${relative.replace(/\.js$/, '.ts')}`);

const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each layer of src/ imports only what docs/architecture.md lets it.' },
    schema: [],
    messages: {
      layer: '{{from}} may not import {{what}}: {{why}} (docs/architecture.md).',
      computed: 'A dynamic import with a computed path cannot be checked against the layers; import a literal path (docs/architecture.md).',
    },
  },
  create(context) {
    const srcRoot = path.join(context.cwd, 'src');
    const fileRelative = path.relative(srcRoot, context.filename);
    const from = layerOf(fileRelative);
    const rules = from === null ? undefined : LAYERS[from];
    if (rules === undefined) return {};
    const fileKey = fileRelative.split(path.sep).join('/');

    function verdict(source, typeOnly) {
      if (source.startsWith('.')) {
        const target = path.resolve(path.dirname(context.filename), source);
        const relative = path.relative(srcRoot, target);
        const to = layerOf(relative);
        if (to === null) {
          const outside = path.relative(context.cwd, target).split(path.sep)[0];
          return (rules.outside ?? []).includes(outside) ? null : `${outside}/ (outside src/)`;
        }
        if (to === from || rules.may.includes(to)) return null;
        const module = `${to}/${path.basename(relative).replace(/\.[cm]?[jt]sx?$/, '')}`;
        if (typeOnly && (rules.typesOnly ?? []).some((allowed) => allowed === to || allowed === module)) return null;
        return display(relative);
      }
      const name = packageName(source);
      if (from === 'core') {
        const readers = CORE_FILE_READERS[fileKey] ?? [];
        return rules.packages.only.includes(name) || readers.includes(name) ? null : `the package ${name}`;
      }
      if (matchesAny(name, rules.packages.never)) return `the package ${name}`;
      if (rules.sdkTypesOnly && !typeOnly && matchesAny(name, SDK)) return `the package ${name} (its types only)`;
      return null;
    }

    function check(node, sourceNode, typeOnly) {
      if (sourceNode.type === 'TemplateLiteral' && sourceNode.expressions.length === 0) {
        sourceNode = { type: 'Literal', value: sourceNode.quasis[0].value.cooked };
      }
      if (sourceNode.type !== 'Literal' || typeof sourceNode.value !== 'string') {
        context.report({ node, messageId: 'computed' });
        return;
      }
      const what = verdict(sourceNode.value, typeOnly);
      if (what !== null) context.report({ node, messageId: 'layer', data: { from: display(fileRelative), what, why: rules.why } });
    }
    const allTypes = (node) => node.importKind === 'type' || node.exportKind === 'type'
      || (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));

    return {
      ImportDeclaration: (node) => check(node, node.source, allTypes(node)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source, allTypes(node)),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source, false),
      TSImportType: (node) => {
        // typescript-eslint 8.x names the path `source` (older versions: argument.literal).
        const literal = 'source' in node ? node.source : node.argument?.literal;
        if (literal) check(node, literal, true);
      },
      TSImportEqualsDeclaration: (node) => node.moduleReference.type === 'TSExternalModuleReference' && check(node, node.moduleReference.expression, node.importKind === 'type'),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1) check(node, node.arguments[0], false);
      },
    };
  },
};

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
    files: ['src/**/*.ts'],
    plugins: { layers: { rules: { imports: layersRule } } },
    rules: { 'layers/imports': 'error' },
  },
);
