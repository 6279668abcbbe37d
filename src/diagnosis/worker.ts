// One matcher thread of the diagnosis pool: builds its matcher from the main thread's catalog
// (its apps and entries, sent as data, never read again from disk) and answers
// { id, text, options } with { id, diagnosis } (or { id, error }). Entries travel as ids only;
// the main thread puts its own catalog objects back.
import { parentPort, workerData } from 'node:worker_threads';
import { buildCatalog } from '../core/catalog.js';
import { createMatcher } from '../core/match.js';
import type { AppInfo, CatalogEntry, DiagnoseOptions } from '../core/types.js';
import { slimDiagnosis } from './wire.js';

interface Job {
  id: number;
  text: string;
  options?: DiagnoseOptions;
}

const { apps, entries } = workerData as { apps: AppInfo[]; entries: CatalogEntry[] };
const matcher = createMatcher(buildCatalog(apps, entries));

parentPort?.on('message', (job: Job) => {
  try {
    parentPort?.postMessage({ id: job.id, diagnosis: slimDiagnosis(matcher.diagnose(job.text, job.options ?? {})) });
  } catch (error) {
    parentPort?.postMessage({ id: job.id, error: error instanceof Error ? error.name : 'Error' });
  }
});
parentPort?.postMessage({ ready: true });
