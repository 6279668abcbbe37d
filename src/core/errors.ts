// Coded errors shared by the whole project: an expected failure carries a stable `code` and a
// `message` that is safe to show an operator; whatever caused it stays in `cause` (logs only).

/** An expected failure with a stable machine-readable code and an operator-safe message. */
export class CodedError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** One thing wrong with the catalog: which file, which entry (id or index), which field. */
export interface CatalogProblem {
  /** File the problem was found in, as shown to the operator (e.g. `catalog/box.yaml`). */
  file: string;
  /** Entry id, or `entries[3]` when the entry has no usable id; absent for file-level problems. */
  entry?: string;
  /** Dotted field path inside the entry or file, e.g. `resolution.steps`. */
  field?: string;
  /** What is wrong, in plain words. */
  message: string;
}

/** Renders a problem as one line: `catalog/box.yaml: entry box-x: field resolution.steps: ...`. */
export function formatCatalogProblem(problem: CatalogProblem): string {
  const parts = [problem.file];
  if (problem.entry !== undefined) parts.push(`entry ${problem.entry}`);
  if (problem.field !== undefined && problem.field !== '') parts.push(`field ${problem.field}`);
  parts.push(problem.message);
  return parts.join(': ');
}

/** The catalog (built-in or an organisation's extras) cannot be loaded as written. */
export class CatalogError extends CodedError {
  readonly problems: readonly CatalogProblem[];

  constructor(problems: readonly CatalogProblem[], options?: { cause?: unknown }) {
    const lines = problems.map(formatCatalogProblem);
    const head = problems.length === 1 ? 'Invalid catalog' : `Invalid catalog (${problems.length} problems)`;
    super('CATALOG_INVALID', `${head}: ${lines.join('; ')}`, options);
    this.problems = problems;
  }
}

/** A configuration value is missing or malformed. `message` names the variable. */
export class ConfigError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}

/** A setting of the support webhook the bot cannot work with; the message names the variable, never the URL. */
export class WebhookConfigError extends ConfigError {}

/**
 * What went wrong with the incident store, in words an operator (and the bot) can act on:
 * - `bad-url`: DATABASE_URL cannot name a store;
 * - `migration`: the schema could not be brought up to date (or is newer than this build);
 * - `unavailable`: the database cannot be reached, the connection dropped, or the file is gone;
 * - `busy`: a lock or the statement time limit was hit; trying again in a moment may work;
 * - `read-only`: the database refuses writes (permissions, read-only mount);
 * - `full`: the disk (or the database's size limit) is full;
 * - `replaced`: the SQLite file was deleted or replaced while the bot ran; nothing more is written.
 */
export type StoreFailureKind = 'bad-url' | 'migration' | 'unavailable' | 'busy' | 'read-only' | 'full' | 'replaced';

export class StoreError extends CodedError {
  readonly kind: StoreFailureKind;

  constructor(kind: StoreFailureKind, message: string, options?: { cause?: unknown }) {
    super(`STORE_${kind.toUpperCase().replace(/-/g, '_')}`, message, options);
    this.kind = kind;
  }

  /** Whether the same request may succeed if the person tries again in a moment. */
  get transient(): boolean {
    return this.kind === 'busy' || this.kind === 'unavailable';
  }
}

export function isStoreError(value: unknown): value is StoreError {
  return value instanceof StoreError;
}

/**
 * The bot has more work than it will queue (heavy pastes): the person is asked to try again
 * instead of waiting without end. `userMessage` is safe to show in Teams.
 */
export class BusyError extends CodedError {
  readonly userMessage: string;

  constructor(message: string, userMessage: string, options?: { cause?: unknown }) {
    super('BUSY', message, options);
    this.userMessage = userMessage;
  }
}

/** Type guard usable on anything caught. */
export function isCodedError(value: unknown): value is CodedError {
  return value instanceof CodedError;
}

/**
 * The one way to turn anything thrown into a coded error: coded errors pass through, anything else
 * becomes `INTERNAL` with a generic message (the original is kept as `cause` for the logs only).
 */
export function toCodedError(value: unknown, fallbackMessage = 'Something went wrong on our side.'): CodedError {
  if (value instanceof CodedError) return value;
  return new CodedError('INTERNAL', fallbackMessage, { cause: value });
}
