// The layers of src/ are lint rules (eslint.config.js, docs/architecture.md): a probe file placed in
// each layer imports what that layer must not, and ESLint must refuse it; the imports each layer
// may make pass, so the rules are not a blanket ban.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The rule ids ESLint reports for `source` linted as if it were the file at `filePath`. */
async function ruleErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message);
}

const LAYER_RULE = '@typescript-eslint/no-restricted-imports';
// A probe imports one thing and uses it, so only the layer rule can object.
const probe = (statement: string, name: string) => `${statement}\nexport const used = [${name}];\n`;

const forbidden: [string, string, string, string][] = [
  ['core imports incidents', 'src/core/probe.ts', "import { openStore } from '../incidents/index.js';", 'openStore'],
  ['core imports cards', 'src/core/probe.ts', "import { helpCard } from '../cards/views.js';", 'helpCard'],
  ['core imports teams', 'src/core/secrets/probe.ts', "import { ConnectorDoctorBot } from '../../teams/bot.js';", 'ConnectorDoctorBot'],
  ['core imports the logger', 'src/core/probe.ts', "import { createLogger } from '../log.js';", 'createLogger'],
  ['core imports a driver', 'src/core/probe.ts', "import pg from 'pg';", 'pg'],
  ['core imports botbuilder', 'src/core/probe.ts', "import { CardFactory } from 'botbuilder';", 'CardFactory'],
  ['cards import teams', 'src/cards/probe.ts', "import { answerPaste } from '../teams/paste.js';", 'answerPaste'],
  ['cards import incidents code', 'src/cards/probe.ts', "import { transition } from '../incidents/machine.js';", 'transition'],
  ['cards import restify', 'src/cards/probe.ts', "import restify from 'restify';", 'restify'],
  ['incidents import teams', 'src/incidents/probe.ts', "import { updateCard } from '../teams/support-channel.js';", 'updateCard'],
  ['incidents import cards', 'src/incidents/probe.ts', "import { helpCard } from '../cards/views.js';", 'helpCard'],
  ['incidents import botbuilder', 'src/incidents/probe.ts', "import { TurnContext } from 'botbuilder';", 'TurnContext'],
  ['diagnosis imports incidents', 'src/diagnosis/probe.ts', "import { openStore } from '../incidents/index.js';", 'openStore'],
  ['alerts import teams', 'src/alerts/probe.ts', "import { ConnectorDoctorBot } from '../teams/bot.js';", 'ConnectorDoctorBot'],
  ['alerts import cards', 'src/alerts/probe.ts', "import { helpCard } from '../cards/views.js';", 'helpCard'],
  ['the CLI imports incidents', 'src/cli/probe.ts', "import { openStore } from '../incidents/index.js';", 'openStore'],
  ['the server imports botbuilder', 'src/server.ts', "import { CloudAdapter } from 'botbuilder';", 'CloudAdapter'],
  ['the server imports teams', 'src/server.ts', "import { ConnectorDoctorBot } from './teams/bot.js';", 'ConnectorDoctorBot'],
  ['the config imports botbuilder', 'src/config.ts', "import { CloudAdapter } from 'botframework-connector';", 'CloudAdapter'],
  ['the composition root calls botbuilder', 'src/alert-wiring.ts', "import { CloudAdapter } from 'botbuilder';", 'CloudAdapter'],
  ['alerts import a driver', 'src/alerts/probe.ts', "import pg from 'pg';", 'pg'],
  ['teams imports the server', 'src/teams/probe.ts', "import { createServer } from '../server.js';", 'createServer'],
  ['teams imports the entry point', 'src/teams/actions/probe.ts', "import { start } from '../../index.js';", 'start'],
];

const allowed: [string, string, string, string][] = [
  ['core imports core', 'src/core/probe.ts', "import { redact } from './redact.js';", 'redact'],
  ['core imports zod', 'src/core/probe.ts', "import { z } from 'zod';", 'z'],
  ['cards import the core', 'src/cards/probe.ts', "import { ALL_APPS_ID } from '../core/index.js';", 'ALL_APPS_ID'],
  ['cards import incidents types', 'src/cards/probe.ts', "import type { Incident } from '../incidents/types.js';\nlet i: Incident | undefined;", 'i'],
  ['incidents import the core', 'src/incidents/probe.ts', "import { redact } from '../core/index.js';", 'redact'],
  ['teams import botbuilder', 'src/teams/probe.ts', "import { CardFactory } from 'botbuilder';", 'CardFactory'],
  ['teams import the core entry', 'src/teams/probe.ts', "import { normalize } from '../core/index.js';", 'normalize'],
  ['teams import the cards and incidents', 'src/teams/probe.ts', "import { helpCard } from '../cards/views.js';\nimport { transition } from '../incidents/machine.js';", 'helpCard, transition'],
  ['the server imports restify', 'src/server.ts', "import restify from 'restify';", 'restify'],
  ['alerts import the core and incidents', 'src/alerts/probe.ts', "import { redact } from '../core/index.js';\nimport type { IncidentStore } from '../incidents/types.js';\nlet s: IncidentStore | undefined;", 'redact, s'],
  ['the composition root names SDK types', 'src/alert-wiring.ts', "import type { CloudAdapter } from 'botbuilder';\nlet a: CloudAdapter | undefined;", 'a'],
  ['the entry point wires everything', 'src/index.ts', "import { ConnectorDoctorBot } from './teams/bot.js';\nimport { openStore } from './incidents/index.js';", 'ConnectorDoctorBot, openStore'],
];

describe('layers as lint rules', () => {
  it.each(forbidden)('refuses: %s', async (_name, filePath, statement, name) => {
    expect(await ruleErrors(filePath, probe(statement, name))).toEqual([LAYER_RULE]);
  });

  it.each(allowed)('allows: %s', async (_name, filePath, statement, name) => {
    expect(await ruleErrors(filePath, probe(statement, name))).toEqual([]);
  });
});
