// `search <words>`: entries containing every word, best first.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/core/catalog.js';
import { searchCatalog } from '../../src/core/search.js';

const catalog = loadCatalog();

describe('searchCatalog', () => {
  it('finds entries holding every word, app names and aliases included', () => {
    const found = searchCatalog(catalog, 'box refresh');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((e) => e.app === 'box')).toBe(true);
    // "G Suite" is an alias of Google Workspace: only its entries have it.
    expect(searchCatalog(catalog, 'gsuite').every((e) => e.app === 'google-workspace')).toBe(true);
    expect(searchCatalog(catalog, 'gsuite').length).toBe(catalog.entries.filter((e) => e.app === 'google-workspace').length);
  });

  it('ranks entries whose portal message has more of the words first', () => {
    const [first] = searchCatalog(catalog, 'invalid refresh token');
    expect(first?.message.toLowerCase()).toContain('invalid refresh token');
  });

  it('finds nothing for a word nothing holds, or for no words at all', () => {
    expect(searchCatalog(catalog, 'box zzzz-nothing')).toEqual([]);
    expect(searchCatalog(catalog, '   ')).toEqual([]);
  });
});
