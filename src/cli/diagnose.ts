// `npm run --silent diagnose -- [--app NAME] [--json] [--jsonl] [TEXT]`: diagnoses a pasted
// connector error from the command line (TEXT, or stdin when absent). Exit codes: see USAGE.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CatalogError, formatCatalogProblem } from '../core/errors.js';
import { createMatcher, loadCatalog, renderText, toReport, type Catalog, type Matcher } from '../core/index.js';
import { isEntryPoint } from '../entry-point.js';

export const EXIT = {
  /** At least one error was recognised (match or ambiguous); with --jsonl: every line was processed. */
  recognised: 0,
  /** Nothing in the text is a catalogued error (every finding is `none`). */
  notRecognised: 1,
  /** Bad arguments: unknown option, unknown --app, --json with --jsonl. */
  usage: 2,
  /** The catalog (built-in or CATALOG_EXTRA_DIR) could not be loaded. */
  catalog: 3,
} as const;

export const USAGE = `Usage: npm run --silent diagnose -- [--app NAME] [--json] [--jsonl] [TEXT]

Diagnoses a Microsoft Defender for Cloud Apps app connector error. TEXT is the pasted error
(plain text or Teams HTML); without TEXT it is read from stdin.

  --app NAME   the app the error came from (id, name or alias: O365, okta, "G Suite");
               settles errors several apps show alike
  --json       print exactly one JSON document: {"findings":[{verdict, excerpt, matches}], ...}
  --jsonl      batch: read one JSON-encoded string per stdin line, write one JSON document per
               line; a bad line gives {"line":N,"error":"..."} and the batch goes on
  -h, --help   this text

Environment: CATALOG_EXTRA_DIR  folder of extra or overriding catalog YAML files.
Exit codes: 0 an error was recognised (or --jsonl finished), 1 nothing recognised,
            2 bad arguments, 3 the catalog could not be loaded.`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whole stdin as text. */
  readAll(): Promise<string>;
  /** stdin line by line. */
  lines(): AsyncIterable<string>;
}

function loadOrReport(io: CliIo, env: NodeJS.ProcessEnv): Catalog | undefined {
  const extraDir = env.CATALOG_EXTRA_DIR?.trim();
  try {
    return loadCatalog(extraDir ? { extraDir } : {});
  } catch (error) {
    if (error instanceof CatalogError) {
      io.err('The catalog could not be loaded:');
      for (const problem of error.problems) io.err(`  ${formatCatalogProblem(problem)}`);
    } else {
      io.err('The catalog could not be loaded.');
    }
    return undefined;
  }
}

async function runBatch(io: CliIo, matcher: Matcher, app: string | undefined): Promise<number> {
  let n = 0;
  for await (const raw of io.lines()) {
    n++;
    if (raw.trim() === '') continue;
    let text: unknown;
    try {
      text = JSON.parse(raw);
    } catch {
      io.out(JSON.stringify({ line: n, error: 'not valid JSON: each line must be one JSON-encoded string' }));
      continue;
    }
    if (typeof text !== 'string') {
      io.out(JSON.stringify({ line: n, error: 'not a JSON string: each line must be one JSON-encoded string' }));
      continue;
    }
    io.out(JSON.stringify(toReport(matcher.diagnose(text, app ? { app } : undefined), matcher.catalog)));
  }
  return EXIT.recognised;
}

/** The CLI without process globals (tests and other tools can call it). Returns the exit code. */
export async function runDiagnose(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: { app?: string; json?: boolean; jsonl?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        app: { type: 'string' },
        json: { type: 'boolean' },
        jsonl: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.err(error instanceof Error ? error.message : 'Bad arguments.');
    io.err(USAGE);
    return EXIT.usage;
  }
  if (values.help) {
    io.out(USAGE);
    return EXIT.recognised;
  }
  if (values.json && values.jsonl) {
    io.err('Choose one of --json and --jsonl.');
    return EXIT.usage;
  }
  if (values.jsonl && positionals.length > 0) {
    io.err('--jsonl reads its texts from stdin, one JSON string per line; drop TEXT.');
    return EXIT.usage;
  }

  const catalog = loadOrReport(io, env);
  if (!catalog) return EXIT.catalog;
  const app = values.app?.trim();
  if (app !== undefined && app !== '' && !catalog.app(app)) {
    io.err(`Unknown app "${app}". Known apps: ${catalog.apps.map((a) => a.name).join(', ')}.`);
    return EXIT.usage;
  }
  const matcher = createMatcher(catalog);
  if (values.jsonl) return runBatch(io, matcher, app || undefined);

  const text = positionals.length > 0 ? positionals.join(' ') : await io.readAll();
  const diagnosis = matcher.diagnose(text, app ? { app } : undefined);
  if (values.json) io.out(JSON.stringify(toReport(diagnosis, catalog)));
  else io.out(renderText(diagnosis, catalog, app || undefined));
  return diagnosis.findings.some((f) => f.verdict !== 'none') ? EXIT.recognised : EXIT.notRecognised;
}

function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    async readAll() {
      if (process.stdin.isTTY) process.stderr.write('Paste the error, then Ctrl-D:\n');
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
    lines: () => createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY }),
  };
}

/**
 * `diagnose --jsonl | head -1`: the reader went away. Nothing more can be said to it, and that is
 * no failure: stop at once, quietly (no stack, no path). Any other write error is reported in one line.
 */
export function onStdoutError(error: NodeJS.ErrnoException, exit: (code: number) => void, err: (text: string) => void): void {
  if (error.code === 'EPIPE') return exit(0);
  err('diagnose could not write its output.');
  exit(74);
}

if (isEntryPoint(import.meta.url)) {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => onStdoutError(error, (code) => process.exit(code), (text) => process.stderr.write(`${text}\n`)));
  runDiagnose(process.argv.slice(2), processIo())
    .then((code) => {
      process.exitCode = code;
    })
    .catch(() => {
      process.stderr.write('diagnose failed unexpectedly.\n');
      process.exitCode = 70;
    });
}
