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

  it('forgives one typo per word: a letter missing, extra, wrong or two swapped', () => {
    const ids = (query: string) => searchCatalog(catalog, query).map((e) => e.id);
    expect(ids('okat token')).toEqual(ids('okta token'));
    expect(ids('okta tokn')).toEqual(ids('okta token'));
    expect(ids('box refersh')).toEqual(ids('box refresh'));
    expect(ids('sevice timeout')).toEqual(ids('service timeout'));
    expect(ids('invalid_grnat')).toEqual(ids('invalid_grant'));
    expect(ids('salesforce unauthorised')).toEqual(ids('salesforce unauthorized'));
    expect(ids('okta token').length).toBeGreaterThan(0);
    expect(ids('invalid_grant').length).toBeGreaterThan(0);
  });

  it('takes short words as typed, and a word two typos away finds nothing', () => {
    // "bx" is not Box: one edit from a two-letter word is most of the alphabet.
    expect(searchCatalog(catalog, 'bx refresh')).toEqual([]);
    expect(searchCatalog(catalog, 'okta tkeon')).toEqual([]);
    expect(searchCatalog(catalog, 'sailsfroce')).toEqual([]);
  });

  it('finds nothing for a word nothing holds, or for no words at all', () => {
    expect(searchCatalog(catalog, 'box zzzz-nothing')).toEqual([]);
    expect(searchCatalog(catalog, '   ')).toEqual([]);
  });
});

describe('searchCatalog: punctuation typed around words', () => {
  const ids = (query: string) => searchCatalog(catalog, query).map((e) => e.id);

  it('a comma, colon, full stop or brackets after a word of any length finds what the word alone finds', () => {
    for (const [typed, plain] of [['box, refresh', 'box refresh'], ['401.', '401'], ['aws:', 'aws'], ['(403)', '403'], ['okta, token', 'okta token']] as const) {
      expect(ids(plain).length, plain).toBeGreaterThan(0);
      expect(ids(typed), typed).toEqual(ids(plain));
    }
  });

  it('punctuation standing alone between words is not a word to look for', () => {
    expect(ids('box - refresh')).toEqual(ids('box refresh'));
    expect(ids('okta , token')).toEqual(ids('okta token'));
    expect(ids(' , ')).toEqual([]);
  });
});
