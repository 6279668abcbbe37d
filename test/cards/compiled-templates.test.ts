// Every card template compiles (a render is object building, not expression evaluation), and a
// case the compiled code does not reproduce is expanded by adaptivecards-templating instead.
// That both build the same card for every card the suite renders is test/setup/card-renders.ts.
import { describe, expect, it } from 'vitest';
import type { CardName } from '../../src/cards/data.js';
import { compiledTemplate, expandWithTemplating, observeRenders, renderCard } from '../../src/cards/render.js';
import { compileTemplate, Unsupported } from '../../src/cards/compile.js';
import { Template } from 'adaptivecards-templating';

const NAMES: CardName[] = ['diagnosis', 'ambiguous', 'no-match', 'help', 'welcome', 'apps', 'search', 'stats', 'support-escalation', 'catalog-entry', 'note'];

const prepared = (json: unknown) => (new Template(json) as unknown as { _preparedPayload: unknown })._preparedPayload;

describe('compiled card templates', () => {
  it('compiles every template in cards/', () => {
    expect(NAMES.filter((name) => compiledTemplate(name) === null)).toEqual([]);
  });

  it('refuses to compile an expression it does not reproduce', () => {
    expect(() => compileTemplate(prepared({ text: "${toUpper(name)}" }))).toThrow(Unsupported);
  });

  it('expands repeats, conditions, indexes and interpolation as adaptivecards-templating does', () => {
    const json = {
      type: 'Container',
      items: [
        { $data: '${rows}', type: 'TextBlock', text: 'Row ${$index}: ${label} of ${$root.title}', $when: "${label != ''}" },
        { $when: '${count(rows) > 0}', type: 'TextBlock', text: '${title}' },
        { $when: '${count(rows) == 0}', type: 'TextBlock', text: 'none' },
        { $when: '${a || b}', type: 'TextBlock', wrap: '${a}' },
      ],
    };
    const compiled = compileTemplate(prepared(json));
    for (const data of [
      { rows: [{ label: 'x' }, { label: '' }, { label: 'z' }], title: 'T', a: false, b: true },
      { rows: [], title: 'T', a: false, b: false },
      { rows: [{ label: 'only' }], title: 'T', a: true, b: false },
    ]) {
      expect(compiled(data)).toEqual(new Template(json).expand({ $root: data }));
    }
  });

  it('leaves a missing field to adaptivecards-templating, which writes it as ${name}', () => {
    const seen: boolean[] = [];
    const previous = observeRenders((_name, _data, _card, compiled) => seen.push(compiled));
    try {
      const data = { appCount: '1', entryCount: '2', apps: [{ name: 'Box' }] } as never;
      expect(renderCard('apps', data)).toEqual(expandWithTemplating('apps', data));
      expect(JSON.stringify(renderCard('apps', data))).toContain('${errors}');
    } finally {
      observeRenders(previous);
    }
    expect(seen).toEqual([false, false]);
  });
});
