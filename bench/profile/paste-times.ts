// `tsx bench/profile/paste-times.ts`: each bench paste's length and its matching time (median of 20).
import { createMatcher, loadCatalog } from '../../src/core/index.js';
import { BENCH_PASTES } from '../http/activities.js';

const matcher = createMatcher(loadCatalog());
const rows = BENCH_PASTES.map((text, i) => {
  const times: number[] = [];
  for (let k = 0; k < 20; k += 1) {
    const t = performance.now();
    matcher.diagnose(`${text}\nCorrelation ID: ${crypto.randomUUID()}`);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { i, chars: text.length, ms: times[10]! };
});
rows.sort((a, b) => b.ms - a.ms);
for (const r of rows.slice(0, 15)) console.log(r.i, r.chars, r.ms.toFixed(3));
console.log('total median ms', rows.reduce((s, r) => s + r.ms, 0).toFixed(2), 'n', rows.length);
