// Every card template compiles (a render is object building, not expression evaluation), and a
// case the compiled code does not reproduce is expanded by adaptivecards-templating instead.
// That both build the same card for every card the suite renders is test/setup/card-renders.ts.
import { describe, expect, it } from 'vitest';
import type { CardName } from '../../src/cards/data.js';
import { buildTemplateSnapshot, compiledTemplate, expandWithTemplating, observeRenders, renderCard, useTemplateSnapshot, type TemplateSnapshot } from '../../src/cards/render.js';
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

  it('builds from the recorded parse of a template only while the template is the one it was recorded from', () => {
    const recorded = (): TemplateSnapshot => JSON.parse(JSON.stringify(buildTemplateSnapshot())) as TemplateSnapshot;
    const data = { title: 'T', lines: [{ text: 'a' }, { text: 'b' }] };
    const fromLibrary = expandWithTemplating('note', data);
    // The differential check would (rightly) refuse the marked card below.
    const previous = observeRenders(undefined);
    try {
      const marked = recorded();
      const record = marked.note!;
      record.prepared = JSON.parse(JSON.stringify(record.prepared).replace('"Medium"', '"Large"'));
      useTemplateSnapshot(marked);
      expect(JSON.stringify(renderCard('note', data))).toBe(JSON.stringify(fromLibrary).replace('"Medium"', '"Large"'));
      // The same record for another text of the template is stale: the library's parse is used.
      record.template = `${record.template} `;
      useTemplateSnapshot(marked);
      expect(renderCard('note', data)).toEqual(fromLibrary);
    } finally {
      useTemplateSnapshot(recorded());
      observeRenders(previous);
    }
    expect(renderCard('note', data)).toEqual(fromLibrary);
  });
});
