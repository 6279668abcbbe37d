// `npm run bench:cards`: what rendering an incident's card costs, alone (no HTTP, no store): the
// card of every bench paste's first finding, open and just reported, as a paste answers it, and
// resolved, as a press answers it. Prints microseconds per card (median and p99 of rounds) and the
// card sizes. Figures only; it never fails on one.
import { cpus, loadavg } from 'node:os';
import { BENCH_PASTES } from './http/activities.js';
import { createMatcher, loadCatalog } from '../src/core/index.js';
import { historyOf } from '../src/cards/history.js';
import { cardBytes } from '../src/cards/render.js';
import type { Incident } from '../src/incidents/types.js';
import { incidentCardFor } from '../src/teams/incident-view.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const matcher = createMatcher(loadCatalog());
const at = new Date('2026-12-05T03:00:00Z');
const reporter = { id: '29:ada', name: 'Ada Ops' };

const incidents: Incident[] = BENCH_PASTES.flatMap((paste, n) => {
  const finding = matcher.diagnose(paste).findings[0];
  if (!finding) return [];
  const open: Incident = {
    id: `inc-${n}`,
    conversationId: `a:conv-${n}`,
    reporter,
    excerpt: finding.excerpt,
    verdict: finding.verdict,
    entryIds: finding.matches.map((m) => m.entry.id),
    ...(finding.verdict === 'match' ? { appId: finding.matches[0]!.entry.app } : {}),
    state: 'open',
    version: 1,
    repeatCount: 0,
    createdAt: at,
    updatedAt: at,
  };
  const resolved: Incident = { ...open, state: 'resolved', version: 2, resolvedAt: at, resolvedBy: reporter };
  return [open, resolved];
});

const deps = { matcher, store: { events: async () => [] }, hasDestination: async () => true };
const history = historyOf([{ incidentId: 'x', kind: 'opened', at, actor: reporter }]);
const options = { history, refreshUserIds: ['29:ada'] };

async function round(): Promise<number> {
  const started = process.hrtime.bigint();
  for (const incident of incidents) await incidentCardFor(deps, incident, options);
  return Number(process.hrtime.bigint() - started) / 1000 / incidents.length;
}

const sizes: number[] = [];
for (const incident of incidents) sizes.push(cardBytes(await incidentCardFor(deps, incident, options)));
for (let i = 0; i < 3; i += 1) await round();
const perCard: number[] = [];
for (let i = 0; i < ROUNDS; i += 1) perCard.push(await round());
perCard.sort((a, b) => a - b);
sizes.sort((a, b) => a - b);
const at99 = (xs: number[]) => xs[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;
process.stdout.write(
  `node ${process.version}, ${cpus()[0]?.model.trim() ?? ''}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n` +
    `${incidents.length} cards (open and resolved) x ${ROUNDS} rounds\n` +
    `per card: median ${perCard[Math.floor(perCard.length / 2)]!.toFixed(1)} µs, slowest round ${at99(perCard).toFixed(1)} µs\n` +
    `card size: median ${sizes[Math.floor(sizes.length / 2)]} bytes, largest ${sizes.at(-1)} bytes\n`,
);
