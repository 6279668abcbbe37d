// `tsx bench/profile/reference-diagnoses.ts record|compare FILE`: the matcher's answers to a large
// reference set, for speed work that must not change a single answer. `record` writes one line per
// input (catalog, input id, SHA-256 of JSON.stringify(diagnosis), SHA-256 of redact(normalize(text))
// and of redact(text)) and `compare` reports every line that differs from a recorded file.
//
// The set: every paste fixture (variants in 5 copies, field with the 200 KB log, quiet, both
// independent sets), the secret corpora and their false-positive samples, and a few thousand
// generated pastes (fragments of real pastes and fixture lines shuffled, seeded), each with and
// without an app named, on the real catalog and on the bench's synthetic 10,036-entry one.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createUnguardedMatcher, loadCatalog, normalize, redact, type Catalog } from '../../src/core/index.js';
import { bigLogPaste, fieldPastes } from '../../test/fixtures/pastes/field.js';
import { independentPastes2 } from '../../test/fixtures/pastes/independent-2.js';
import { independentPastes } from '../../test/fixtures/pastes/independent.js';
import { quietMessages } from '../../test/fixtures/pastes/quiet.js';
import { pasteCases } from '../../test/fixtures/pastes/variants.js';
import * as frozen from '../../test/fixtures/secrets/corpus-frozen.js';
import * as tuning from '../../test/fixtures/secrets/corpus-tuning.js';
import { classLines, plainPaste, secretLines, teamsHtmlPaste } from '../../test/fixtures/secrets/pastes.js';
import { prng, syntheticCatalog } from '../run.js';

interface Input {
  id: string;
  text: string;
  app?: string;
}

function inputs(catalog: Catalog, generated: number): Input[] {
  const out: Input[] = [];
  pasteCases(5).forEach((c, k) => out.push({ id: `variant:${k}`, text: c.text, ...(c.hint ? { app: c.hint } : {}) }));
  [...fieldPastes, bigLogPaste()].forEach((p, k) => out.push({ id: `field:${k}`, text: p.text, ...(p.app ? { app: p.app } : {}) }));
  quietMessages.forEach((m, k) => out.push({ id: `quiet:${k}`, text: m.text }));
  independentPastes.forEach((p, k) => out.push({ id: `independent:${k}`, text: p.text, ...(p.app ? { app: p.app } : {}) }));
  independentPastes2.forEach((p, k) => out.push({ id: `independent-2:${k}`, text: p.text, ...(p.app ? { app: p.app } : {}) }));
  [...tuning.corpusCases, ...frozen.corpusCases].forEach((c, k) => out.push({ id: `secrets:${k}`, text: c.text }));
  [...tuning.falsePositiveSamples, ...frozen.falsePositiveSamples].forEach((c, k) => out.push({ id: `fp:${k}`, text: c.text }));
  out.push({ id: 'secret-pastes:plain', text: plainPaste() }, { id: 'secret-pastes:teams', text: teamsHtmlPaste() });
  out.push({ id: 'secret-pastes:lines', text: secretLines().join('\n') }, { id: 'secret-pastes:classes', text: classLines().join('\n') });

  // Generated: fragments of real pastes (lines of every fixture above, catalog messages, pieces of
  // markup, secrets and codes) shuffled together.
  const lines = [...new Set(out.flatMap((i) => i.text.slice(0, 4000).split('\n')).filter((l) => l.trim() !== ''))];
  const fragments = [
    ...catalog.entries.map((e) => e.message),
    ...catalog.entries.flatMap((e) => [...e.signals.codes, ...e.signals.exceptions, ...e.signals.phrases]),
    '<p>', '</p>', '<br>', '<at id="0">Bot</at>', '&quot;', '&amp;', '<pre><code>', '\n\tat com.x.Y.z(Y.java:1)', '\tat com.okta.sdk.Client.get(Client.java:77)',
    'Caused by: ', '{', '}', '[', ']', '"', '\n', '\n\n', '2026-11-30T10:22:33Z ERROR ', 'Authorization: Bearer ', ': ', ' 401 ', ' 403 Forbidden', 'status code 500',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij', 'password=', 'https://u:p@h.okta.com/', 'https://contoso.okta.com/api/v1/logs', 'SSWS ', 'AADSTS50126', 'E0000011',
    '998cea7e-35cd-46a5-ab3c-8ec88a45d7d5', 'Okta connector: ', 'Box: ', 'Microsoft 365 ', '"error": "invalid_grant"', "{'error': 'invalid_auth'}", 'java.io.IOException: No space left on device',
  ];
  const apps = [undefined, undefined, undefined, 'okta', 'O365', 'box', 'salesforce', 'nope', ...catalog.apps.map((a) => a.id)];
  const random = prng(20261204);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  for (let g = 0; g < generated; g++) {
    const parts: string[] = [];
    const n = 1 + Math.floor(random() * 12);
    for (let k = 0; k < n; k++) {
      const r = random();
      if (r < 0.45) parts.push(pick(lines));
      else if (r < 0.9) parts.push(pick(fragments));
      else parts.push(Array.from({ length: 1 + Math.floor(random() * 8) }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join(''));
      const sep = random();
      parts.push(sep < 0.5 ? '\n' : sep < 0.6 ? '\n\n' : sep < 0.85 ? ' ' : '');
    }
    const app = pick(apps);
    out.push({ id: `generated:${g}`, text: parts.join(''), ...(app ? { app } : {}) });
  }
  return out;
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 32);

function lines(generated: number): string[] {
  const real = loadCatalog();
  const catalogs: [string, Catalog][] = [['real', real], ['synthetic', syntheticCatalog(real, 10_000)]];
  const out: string[] = [];
  for (const [label, catalog] of catalogs) {
    const matcher = createUnguardedMatcher(catalog);
    for (const input of inputs(real, generated)) {
      const d = matcher.diagnose(input.text, input.app ? { app: input.app } : undefined);
      // Twice: a remembered typo or scratch slot left over from the first call must not change the second.
      const again = matcher.diagnose(input.text, input.app ? { app: input.app } : undefined);
      const json = JSON.stringify(d);
      if (JSON.stringify(again) !== json) throw new Error(`${label} ${input.id}: a second diagnose differs`);
      // Redaction on its own too, of the text as given and normalised (the bench's coverage reads the former).
      const red = label === 'real' ? `${sha(JSON.stringify(redact(normalize(input.text))))}\t${sha(JSON.stringify(redact(input.text)))}` : '-';
      out.push(`${label}\t${input.id}\t${sha(json)}\t${red}`);
    }
  }
  return out;
}

const [mode, file, count] = process.argv.slice(2);
if ((mode !== 'record' && mode !== 'compare') || !file) {
  console.error('usage: tsx bench/profile/reference-diagnoses.ts record|compare FILE [GENERATED=3000]');
  process.exit(2);
}
const generated = Number(count ?? 3000);
const now = lines(generated);
if (mode === 'record') {
  writeFileSync(file, `${now.join('\n')}\n`);
  console.log(`recorded ${now.length} diagnoses to ${file}`);
} else {
  const before = readFileSync(file, 'utf8').trimEnd().split('\n');
  let differ = 0;
  for (let k = 0; k < Math.max(before.length, now.length); k++) {
    if (before[k] !== now[k]) {
      differ++;
      if (differ <= 20) console.log(`differs: was ${before[k] ?? '(none)'}\n         now ${now[k] ?? '(none)'}`);
    }
  }
  console.log(`${now.length} diagnoses compared (${before.length} recorded): ${differ} differ`);
  process.exit(differ === 0 ? 0 : 1);
}
