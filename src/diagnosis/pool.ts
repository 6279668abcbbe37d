// Matching off the event loop: a long paste (up to 64 KB, 100-400 ms of matching) runs in a small
// pool of worker threads, so button presses, /healthz and short pastes are never stuck behind it.
// At most `threads` heavy pastes run at once; at most `queueLimit` wait; beyond that the paste is
// refused at once with a BusyError ("try again in a minute") instead of queueing without end.
// Short pastes stay on the main thread: posting them to a thread costs more than matching them.
// The threads start with the first heavy paste (or `ready()`), not with the pool: each loads its own
// copy of the catalog (tens of MiB and a few hundred ms of CPU), which an instance that never gets
// a long paste does not need to pay for at start or hold while idle.
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BusyError, CodedError } from '../core/errors.js';
import type { Catalog, Diagnosis, DiagnoseOptions, Matcher } from '../core/types.js';
import { fullDiagnosis, type SlimDiagnosis } from './wire.js';

export const BUSY_MESSAGE = 'I am busy with many long pastes right now. Please paste that again in a minute.';

export interface DiagnosisPoolOptions {
  /** The main thread's matcher: short pastes, and the catalog whose entries results are mapped back to. */
  matcher: Matcher;
  /**
   * The catalog each thread builds its matcher from, sent as data (apps and entries), so threads
   * started long after start-up match with exactly the main thread's catalog, whatever the files
   * on disk say by then. Default: `matcher.catalog`.
   */
  catalog?: Pick<Catalog, 'apps' | 'entries'>;
  /** Matcher threads, each one heavy paste at a time. Default: the cores, 1 to 4. */
  threads?: number;
  /** Heavy pastes that may wait for a thread; one more is refused (BusyError). Default 64. */
  queueLimit?: number;
  /** Pastes shorter than this many characters are matched on the main thread. Default 4096. */
  heavyChars?: number;
  /** A paste still matching after this long is abandoned and its thread replaced. Default 15 s. */
  jobTimeoutMs?: number;
  /** Told each time a paste is refused because the queue is full (count it). */
  onBusy?: () => void;
  /** Told when a thread fails or is replaced (log it). */
  onThreadError?: (error: Error) => void;
}

export interface DiagnosisPool {
  diagnose(text: string, options?: DiagnoseOptions): Promise<Diagnosis>;
  /** Starts the threads if none runs yet; resolves once every thread has loaded its catalog (rejects if one cannot). */
  ready(): Promise<void>;
  /** Heavy pastes matching now and waiting. */
  load(): { running: number; queued: number };
  /** Threads started (0 until the first heavy paste or `ready()`). */
  threadCount(): number;
  close(): Promise<void>;
}

interface Job {
  id: number;
  text: string;
  options?: DiagnoseOptions;
  resolve: (diagnosis: Diagnosis) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  ready: Promise<void>;
  started: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
}

/**
 * The thread's entry: the compiled worker.js beside this file (npm start), or, when this module is
 * TypeScript source (npm run dev, vitest), a bootstrap that registers tsx in the thread first:
 * Node 20 does not hand `--import` loaders to worker threads.
 */
function workerEntry(): { source: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { source: new URL('./worker.js', here), eval: false };
  // tsx/esm/api resolves (require condition) to dist/esm/api/index.cjs; its ESM twin sits beside it.
  const tsxApi = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const worker = new URL('./worker.ts', here).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`;
  return { source: bootstrap, eval: true };
}

export function createDiagnosisPool(options: DiagnosisPoolOptions): DiagnosisPool {
  const { matcher } = options;
  const catalogData = options.catalog ?? matcher.catalog;
  const size = Math.max(1, Math.floor(options.threads ?? Math.min(4, availableParallelism() - 1)));
  const queueLimit = Math.max(0, options.queueLimit ?? 64);
  const heavyChars = options.heavyChars ?? 4096;
  const jobTimeoutMs = options.jobTimeoutMs ?? 15_000;
  const entry = workerEntry();
  const queue: Job[] = [];
  const threads: Thread[] = [];
  let nextId = 1;
  let closed = false;

  function spawn(): Thread {
    const worker = new Worker(entry.source, { eval: entry.eval, execArgv: [], workerData: { apps: catalogData.apps, entries: catalogData.entries } });
    let markReady: () => void = () => undefined;
    let failStart: (error: Error) => void = () => undefined;
    const thread: Thread = {
      worker,
      started: false,
      ready: new Promise<void>((resolve, reject) => {
        markReady = resolve;
        failStart = reject;
      }),
    };
    thread.ready.catch(() => undefined);
    worker.on('message', (message: { ready?: true; id?: number; diagnosis?: SlimDiagnosis; error?: string }) => {
      if (message.ready) {
        thread.started = true;
        markReady();
        pump();
        return;
      }
      const job = thread.job;
      if (!job || job.id !== message.id) return;
      finish(thread);
      if (message.diagnosis) {
        try {
          job.resolve(fullDiagnosis(message.diagnosis, matcher.catalog));
        } catch (error) {
          job.reject(error as Error);
        }
      } else {
        job.reject(new CodedError('MATCHER_FAILED', `matching failed in a worker thread (${message.error ?? 'error'})`));
      }
      pump();
    });
    worker.on('error', (error) => {
      failStart(error);
      options.onThreadError?.(error);
    });
    worker.on('exit', (code) => {
      failStart(new Error(`matcher thread exited (${code}) before it was ready`));
      const index = threads.indexOf(thread);
      if (index >= 0) threads.splice(index, 1);
      const job = thread.job;
      finish(thread);
      job?.reject(new CodedError('MATCHER_FAILED', `matcher thread exited (${code})`));
      if (closed) return;
      if (thread.started) {
        options.onThreadError?.(new Error(`matcher thread exited (${code}); starting another`));
        threads.push(spawn());
        return;
      }
      // A thread that could not even load its catalog would fail again at once: no restart loop.
      // What waits is refused when no thread is left to take it; the next heavy paste tries again.
      options.onThreadError?.(new Error(`matcher thread exited (${code}) before it was ready`));
      if (threads.length === 0) {
        for (const waiting of queue.splice(0)) waiting.reject(new CodedError('MATCHER_FAILED', 'no matcher thread could start'));
      }
    });
    return thread;
  }

  function finish(thread: Thread): void {
    clearTimeout(thread.timer);
    thread.timer = undefined;
    thread.job = undefined;
  }

  /** Hand waiting pastes to idle, ready threads. */
  function pump(): void {
    for (const thread of threads) {
      if (queue.length === 0) return;
      if (thread.job) continue;
      void thread.ready.then(
        () => {
          if (thread.job || closed) return;
          const job = queue.shift();
          if (!job) return;
          thread.job = job;
          thread.timer = setTimeout(() => {
            // A paste that never finishes must not hold a thread forever: replace the thread.
            void thread.worker.terminate();
          }, jobTimeoutMs);
          thread.worker.postMessage({ id: job.id, text: job.text, options: job.options });
        },
        () => undefined,
      );
    }
  }

  /** The threads start on first need, not with the pool. */
  function startThreads(): void {
    if (closed) return;
    while (threads.length < size) threads.push(spawn());
  }

  return {
    diagnose(text, diagnoseOptions) {
      if (closed || text.length < heavyChars) {
        try {
          return Promise.resolve(matcher.diagnose(text, diagnoseOptions ?? {}));
        } catch (error) {
          return Promise.reject(error as Error);
        }
      }
      // Counted together: a job handed to a thread leaves the queue only once the thread takes it.
      const running = threads.filter((t) => t.job).length;
      if (running + queue.length >= size + queueLimit) {
        options.onBusy?.();
        return Promise.reject(new BusyError(`diagnosis queue full (${queue.length} waiting)`, BUSY_MESSAGE));
      }
      return new Promise<Diagnosis>((resolve, reject) => {
        queue.push({ id: nextId++, text, ...(diagnoseOptions ? { options: diagnoseOptions } : {}), resolve, reject });
        startThreads();
        pump();
      });
    },
    async ready() {
      startThreads();
      await Promise.all(threads.map((t) => t.ready));
    },
    load() {
      return { running: threads.filter((t) => t.job).length, queued: queue.length };
    },
    threadCount() {
      return threads.length;
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new CodedError('MATCHER_FAILED', 'the diagnosis pool is closed'));
      await Promise.all(threads.splice(0).map((t) => t.worker.terminate()));
    },
  };
}
