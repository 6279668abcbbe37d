// The fallback when the store fails while a paste is answered: the person still gets the
// diagnosis card, marked as not recorded, and it keeps what redaction did: the secret stays out
// of the card and the log, and the card still says what was removed and what to do.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import { readingInUtc, unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { cardOf, personalMessage, startHarness, startedHarnesses, type Harness } from '../helpers/bot-harness.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

const BOX_PASTE = 'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: invalid_grant';
const SECRET = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnopqrstuvwxyz123456';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});
failOnLoggedErrors(startedHarnesses);

describe('a paste holding a secret while the store refuses writes', () => {
  it('gets the unrecorded Box card that still says a secret was removed, and holds it nowhere', async () => {
    h.store.openOrRepeat = () => Promise.reject(new StoreError('full', 'database or disk is full'));
    const replies = await h.send(personalMessage(`${BOX_PASTE}\nAuthorization: Bearer ${SECRET}`));
    expect(replies).toHaveLength(1);
    const shown = readingInUtc(unescapeDisplay(visibleText(cardOf(replies[0]))));
    expect(shown).toMatch(/^Box connector: Box no longer accepts the refresh token/);
    expect(shown).toContain('Not recorded');
    expect(shown).toContain('⚠ 1 secret removed (an Authorization header). Your message above still shows it: delete it and rotate that credential.');
    expect(JSON.stringify(replies)).not.toContain(SECRET);
    expect(h.logs()).not.toContain(SECRET);
    // The paste's log line says what was removed (its kind), never the value; the store's own
    // failure line is the store's (logged once a minute, not per request: store-faults.test.ts).
    expect(h.logs()).toContain('"redactedKinds":["authorization-header"]');
  });
});
