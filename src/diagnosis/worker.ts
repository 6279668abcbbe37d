// One matcher thread of the diagnosis pool: loads the same catalog as the main thread and answers
// { id, text, options } with { id, diagnosis } (or { id, error }). Entries travel as ids only;
// the main thread puts its own catalog objects back.
import { parentPort, workerData } from 'node:worker_threads';
import { loadCatalog, type LoadCatalogOptions } from '../core/catalog.js';
import { createMatcher } from '../core/match.js';
import type { DiagnoseOptions } from '../core/types.js';
import { slimDiagnosis } from './wire.js';

interface Job {
  id: number;
  text: string;
  options?: DiagnoseOptions;
}

const matcher = createMatcher(loadCatalog((workerData as { catalog?: LoadCatalogOptions } | undefined)?.catalog ?? {}));

parentPort?.on('message', (job: Job) => {
  try {
    parentPort?.postMessage({ id: job.id, diagnosis: slimDiagnosis(matcher.diagnose(job.text, job.options ?? {})) });
  } catch (error) {
    parentPort?.postMessage({ id: job.id, error: error instanceof Error ? error.name : 'Error' });
  }
});
parentPort?.postMessage({ ready: true });
