// Every card any test renders is also expanded by adaptivecards-templating, and the test fails
// when the compiled template (src/cards/compile.ts) built anything else: the whole suite's cards
// are the compiled templates' differential check. The compiled templates are built from the
// recorded parse, as the built bot builds them (dist/card-templates.json), read back from JSON.
import { afterEach, expect } from 'vitest';
import { buildTemplateSnapshot, expandWithTemplating, observeRenders, useTemplateSnapshot } from '../../src/cards/render.js';
import type { CardDataByName, CardName } from '../../src/cards/data.js';

const differences: string[] = [];

useTemplateSnapshot(JSON.parse(JSON.stringify(buildTemplateSnapshot())));

observeRenders((name, data, card, compiled) => {
  if (!compiled) return;
  const reference = expandWithTemplating(name as CardName, data as CardDataByName[CardName]);
  const got = JSON.stringify(card);
  if (got !== JSON.stringify(reference)) differences.push(`${name}: compiled ${got.slice(0, 300)} ... templating ${JSON.stringify(reference).slice(0, 300)}`);
});

afterEach(() => {
  const found = differences.splice(0);
  expect(found, 'a compiled card template rendered something adaptivecards-templating does not').toEqual([]);
});
