// The alerts folder knows no Teams: a botbuilder or teams/ import there fails the lint.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

describe('src/alerts layer', () => {
  it('refuses botbuilder, restify, teams/ and cards/ imports, and lets the real modules through', async () => {
    const eslint = new ESLint();
    const lint = async (code: string) => (await eslint.lintText(code, { filePath: 'src/alerts/probe.ts' }))[0]!.messages.map((m) => m.ruleId);
    expect(await lint("import { CardFactory } from 'botbuilder';\nexport const x = CardFactory;\n")).toContain('no-restricted-imports');
    expect(await lint("import { updateCard } from '../teams/support-channel.js';\nexport const x = updateCard;\n")).toContain('no-restricted-imports');
    expect(await lint("import { incidentCard } from '../cards/incident-card.js';\nexport const x = incidentCard;\n")).toContain('no-restricted-imports');
    expect(await lint("import { redact } from '../core/redact.js';\nexport const x = redact;\n")).not.toContain('no-restricted-imports');
  });
});
