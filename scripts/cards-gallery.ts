// `npm run cards:gallery`: runs the browser test (test/e2e) in gallery mode, which screenshots every
// card in the Agents Playground into docs/cards/ and measures them, then writes docs/cards.md with
// those screenshots, the card heights and the badge contrast.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AA_NORMAL_TEXT, contrastRatio } from './contrast.js';
import { ROOT } from './dev.js';
import { isEntryPoint } from '../src/entry-point.js';

const GALLERY_DIR = 'docs/cards';

interface Figures {
  before: { googleCardHeight: number };
  heights: Record<string, number>;
  contrast: Record<string, { text: string; background: string; ratio: number }>;
}

/**
 * Text and background pairs of Microsoft Teams' light and dark themes, from the Teams host
 * configs of the Adaptive Cards Designer: the state line as it was (coloured text on the card).
 * Computed from those colour values, not measured in a Teams client. The badge's containers
 * (accent, good, warning, attention) have no colours in what we have of Teams' host configs, so
 * no pair is given for them: the gallery says so instead of claiming a figure.
 */
const TEAMS_PAIRS: { theme: string; what: string; text: string; background: string }[] = [
  { theme: 'light', what: 'before: "Resolved" in Good text', text: '#92C353', background: '#FFFFFF' },
  { theme: 'light', what: 'before: "Escalated" in Warning text', text: '#F8D22A', background: '#FFFFFF' },
  { theme: 'light', what: 'before: "not sent" in Attention text', text: '#C4314B', background: '#FFFFFF' },
  { theme: 'light', what: 'before: "Open" in Accent text', text: '#6264A7', background: '#FFFFFF' },
  { theme: 'dark', what: 'before: "Resolved" in Good text', text: '#92C353', background: '#2D2C2C' },
  { theme: 'dark', what: 'before: "Escalated" in Warning text', text: '#F8D22A', background: '#2D2C2C' },
  { theme: 'dark', what: 'before: "not sent" in Attention text', text: '#D74654', background: '#2D2C2C' },
];

const SHOTS: { file: string; title: string; says: string }[] = [
  { file: 'diagnosis', title: 'Diagnosis', says: 'A typical paste (a 15-line Google Java trace). App and cause first, the state badge, who acts, whether retrying helps, how sure, the steps. The paste, the full cause and the alternatives are behind Show details.' },
  { file: 'diagnosis-details', title: 'Diagnosis, details shown', says: 'Show details unfolds the full cause, what to do when a support case is needed, the alternatives as buttons and the paste exactly as sent (copyable, nothing invisible in it). The Playground sends a multi-line paste as one line; Teams keeps its lines, one per row here.' },
  { file: 'ambiguous', title: 'Ambiguous', says: 'The same portal message exists for several apps: what it means for each, one button per app, and None of these.' },
  { file: 'chosen', title: 'After "It\'s Okta"', says: 'The question turns into Okta\'s diagnosis; who chose and when replaces the certainty; the other apps stay one click away as "It\'s X instead".' },
  { file: 'unknown', title: 'Unknown error', says: 'Error-shaped text the catalog does not know: said honestly, with Escalate.' },
  { file: 'resolved', title: 'Resolved', says: 'Mark resolved changes the badge (and only Reopen is left).' },
  { file: 'resolved-high-contrast', title: 'Resolved, high contrast', says: 'With forced colours the badge background is gone; the icon and the words still carry the state.' },
  { file: 'escalated', title: 'Escalated', says: 'Delivered to support, with the note everyone in the chat can read.' },
  { file: 'escalated-acknowledged', title: 'Escalated, acknowledged by support', says: 'Support pressed Acknowledge on their post: the original card says who and when.' },
  { file: 'support-post', title: 'Support channel post', says: 'What support gets: the error in words, who escalated and reported it and when, the note, a link back (or why there is none), Acknowledge and Take it.' },
  { file: 'support-post-acknowledged', title: 'Support post, acknowledged', says: 'The post after Acknowledge.' },
  { file: 'stats', title: 'stats', says: 'One block while the last 7 and 30 days hold the same incidents; the top errors as a bar chart (numbered lines on clients without charts).' },
  { file: 'help', title: 'help', says: 'What the bot does and its commands.' },
];

function runBrowserTest(): void {
  const require = createRequire(import.meta.url);
  const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
  const run = spawnSync(process.execPath, [vitest, 'run', 'test/e2e'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, CARDS_GALLERY_DIR: GALLERY_DIR, CI: 'true' },
  });
  if (run.status !== 0) throw new Error(`the browser test failed (exit ${run.status ?? run.signal}); docs/cards.md was not rewritten`);
}

const pct = (after: number, before: number) => `${Math.round((after / before) * 100)}%`;

function galleryMarkdown(figures: Figures): string {
  const h = figures.heights;
  const before = figures.before.googleCardHeight;
  const measured = Object.entries(figures.contrast)
    .map(([state, c]) => `| ${state} | \`${c.text}\` on \`${c.background}\` | ${c.ratio.toFixed(2)}:1 | ${c.ratio >= AA_NORMAL_TEXT ? 'yes' : 'NO'} |`)
    .join('\n');
  const teams = TEAMS_PAIRS.map((p) => {
    const ratio = contrastRatio(p.text, p.background);
    return `| ${p.theme} | ${p.what} | \`${p.text}\` on \`${p.background}\` | ${ratio.toFixed(2)}:1 | ${ratio >= AA_NORMAL_TEXT ? 'yes' : 'no'} |`;
  }).join('\n');
  return `# The cards

<!-- Written by \`npm run cards:gallery\` (scripts/cards-gallery.ts) from the browser test's screenshots: edit the script, not this file. -->

Every card the bot sends, as the Microsoft 365 Agents Playground shows it (headless Chromium, a
reader in New York, the Playground's 446 px wide card column). \`npm run cards:gallery\` runs the
browser test (test/e2e) in gallery mode and rewrites this page and the pictures in docs/cards/.

How they are built: a card says first what happened (the app and the cause in one line) and its
state as a badge in words and an icon, tinted by the state but never by colour alone; then who acts,
whether retrying helps and how sure the diagnosis is; then the numbered steps. What you pasted, why
it happens and the alternatives are one click away behind **Show details**. Every button says what it
does. Templates: \`cards/*.json\`; data: \`src/cards/\`.

## Height

| Card | Before | Now |
| --- | --- | --- |
| Google Workspace 401, a 15-line Java trace (diagnosis) | ${before} px | ${h.diagnosis ?? '?'} px (${h.diagnosis ? pct(h.diagnosis, before) : '?'}) |
| the same with Show details pressed | | ${h['diagnosis-details'] ?? '?'} px |

Before: the card opened with the paste in 15 monospace lines, then the cause, the steps, the facts
and, last, the state.

## Contrast of the state

The badge is a container in an Adaptive Card semantic style (\`accent\` open, \`good\` resolved,
\`warning\` escalated, \`attention\` failed or not sent) with the host's default text colour: each
host picks the colours of those styles for its theme. Measured in the Playground, which renders with
the Adaptive Cards default host config (computed styles of the badge's text and of the background
behind it, in headless Chromium):

| State | Text on background | Ratio | WCAG AA (4.5:1) |
| --- | --- | --- | --- |
${measured}

Not measured: the badge in Teams' own clients (light, dark, high contrast). We have no Teams
client here, and Teams' host configs as the Adaptive Cards Designer ships them give no colours for
the \`accent\`, \`good\`, \`warning\` and \`attention\` containers, so no contrast figure is claimed
for Teams (those configs define only the \`default\` and \`emphasis\` containers; a host without the
others may draw the badge untinted). What the badge does not depend on: the state is said in words
and an icon, and with forced colours (the Playground run above) the tint is dropped and those remain.

The state used to be coloured text. Its contrast in Teams' themes, computed (not measured) from the
text colours of those host configs on the theme's card background:

| Theme | What | Colours | Ratio | AA |
| --- | --- | --- | --- | --- |
${teams}

## Text people copy

Pasted text, names and notes are in TextRuns, which no Teams client reads as Markdown, mentions or
links: they show exactly what was sent, and copying them gives exactly that. Nothing invisible is
inserted anywhere (the cards used to break links with U+200D). Our own words and the catalog's are
TextBlocks, Markdown-escaped with backslashes, which the renderer consumes.

## Times

Every time is an ISO-8601 UTC instant inside the Adaptive Card functions
\`{{DATE(2026-12-01T10:42:00Z, SHORT)}} {{TIME(2026-12-01T10:42:00Z)}}\`: each reader's client shows
it in their own zone and format ("Tue, Dec 1, 2026 5:42 AM" in New York).

## Live cards

Every card carries a refresh action (\`Action.Execute\`, verb \`refresh\`) listing the conversation's
members (60 at most) as \`userIds\`: when someone opens the chat later, Teams asks the bot for the card
as it is now. The Playground does not refresh cards by itself ("user specific view is not supported
yet"); the **Check again** button and every press answer the current card there too.

${SHOTS.map((s) => `## ${s.title}\n\n${s.says}\n\n![${s.title}](cards/${s.file}.png)\n`).join('\n')}`;
}

function main(): void {
  runBrowserTest();
  const figures = JSON.parse(readFileSync(join(ROOT, GALLERY_DIR, 'figures.json'), 'utf8')) as Figures;
  writeFileSync(join(ROOT, 'docs', 'cards.md'), galleryMarkdown(figures));
  process.stdout.write(`docs/cards.md written: diagnosis ${figures.heights.diagnosis} px (before ${figures.before.googleCardHeight} px)\n`);
}

if (isEntryPoint(import.meta.url)) main();
