// How a diagnosis crosses from a matcher thread to the main thread: catalog entries go as their
// ids (a structured clone of every entry would cost more than the match) and come back as the
// main thread's own frozen entries, so cards and stores see the very objects they always did.
import type { Catalog, Diagnosis, ScoredEntry } from '../core/types.js';

type SlimScored = Omit<ScoredEntry, 'entry'> & { entryId: string };
export type SlimDiagnosis = Omit<Diagnosis, 'findings'> & {
  findings: (Omit<Diagnosis['findings'][number], 'matches' | 'runnerUps'> & { matches: SlimScored[]; runnerUps: SlimScored[] })[];
};

const slim = ({ entry, ...rest }: ScoredEntry): SlimScored => ({ ...rest, entryId: entry.id });

export function slimDiagnosis(diagnosis: Diagnosis): SlimDiagnosis {
  return {
    ...diagnosis,
    findings: diagnosis.findings.map((finding) => ({ ...finding, matches: finding.matches.map(slim), runnerUps: finding.runnerUps.map(slim) })),
  };
}

/** Throws when an id is unknown to `catalog`: the thread loaded another catalog, which must never pass silently. */
export function fullDiagnosis(wire: SlimDiagnosis, catalog: Catalog): Diagnosis {
  const full = ({ entryId, ...rest }: SlimScored): ScoredEntry => {
    const entry = catalog.entry(entryId);
    if (!entry) throw new Error(`matcher thread returned unknown entry ${entryId}`);
    return { ...rest, entry };
  };
  return {
    ...wire,
    findings: wire.findings.map((finding) => ({ ...finding, matches: finding.matches.map(full), runnerUps: finding.runnerUps.map(full) })),
  };
}
