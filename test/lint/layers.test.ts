// The layers of src/ are one allow-list lint rule (eslint.config.js, docs/architecture.md): a probe
// file placed in each layer imports what that layer must not (statically, by a re-export, by a
// dynamic import() or in a type), and ESLint must refuse it; the imports each layer may make pass,
// so the rule is not a blanket ban.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The rule ids ESLint reports for `source` linted as if it were the file at `filePath`. */
async function ruleErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message);
}

const LAYER_RULE = 'layers/imports';
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
  // The composition root is above every layer: reaching it from below is a cycle through everything.
  ['core imports the composition root', 'src/core/probe.ts', "import { start } from '../index.js';", 'start'],
  ['core imports the alert wiring', 'src/core/probe.ts', "import { wireAlerts } from '../alert-wiring.js';", 'wireAlerts'],
  ['core (a subfolder) imports the composition root', 'src/core/secrets/probe.ts', "import { start } from '../../index.js';", 'start'],
  ['core imports the config', 'src/core/probe.ts', "import { loadConfig } from '../config.js';", 'loadConfig'],
  ['core imports the entry-point check', 'src/core/probe.ts', "import { isEntryPoint } from '../entry-point.js';", 'isEntryPoint'],
  ['core names a type of teams', 'src/core/probe.ts', "import type { ConnectorDoctorBot } from '../teams/bot.js';\nlet b: ConnectorDoctorBot | undefined;", 'b'],
  ['core names a type of teams through import()', 'src/core/probe.ts', "let b: import('../teams/bot.js').ConnectorDoctorBot | undefined;", 'b'],
  ['core re-exports from teams', 'src/core/probe.ts', "export { ConnectorDoctorBot } from '../teams/bot.js';", '0'],
  ['core reads files outside catalog-files.ts', 'src/core/probe.ts', "import { readFileSync } from 'node:fs';", 'readFileSync'],
  ['core imports an I/O library', 'src/core/probe.ts', "import { request } from 'undici';", 'request'],
  ['incidents import the composition root', 'src/incidents/probe.ts', "import { start } from '../index.js';", 'start'],
  ['incidents import the alert wiring', 'src/incidents/probe.ts', "import { wireAlerts } from '../alert-wiring.js';", 'wireAlerts'],
  ['diagnosis imports the composition root', 'src/diagnosis/probe.ts', "import { start } from '../index.js';", 'start'],
  ['the CLI imports the config', 'src/cli/probe.ts', "import { loadConfig } from '../config.js';", 'loadConfig'],
  ['the server imports the composition root', 'src/server.ts', "import { start } from './index.js';", 'start'],
  ['cards name the type of an incidents module other than types.ts', 'src/cards/probe.ts', "import type { StoreDriver } from '../incidents/driver.js';\nlet d: StoreDriver | undefined;", 'd'],
  // Dynamic imports are imports.
  ['core imports teams dynamically', 'src/core/probe.ts', "const lazy = () => import('../teams/bot.js');", 'lazy'],
  ['core imports botbuilder dynamically', 'src/core/probe.ts', "const lazy = () => import('botbuilder');", 'lazy'],
  ['cards import teams dynamically', 'src/cards/probe.ts', "const lazy = () => import(`../teams/bot.js`);", 'lazy'],
  ['incidents import teams dynamically', 'src/incidents/probe.ts', "const lazy = () => import('../teams/bot.js');", 'lazy'],
  ['alerts import the composition root dynamically', 'src/alerts/probe.ts', "const lazy = () => import('../index.js');", 'lazy'],
  ['the server imports teams dynamically', 'src/server.ts', "const lazy = () => import('./teams/bot.js');", 'lazy'],
  ['a layer imports a computed path', 'src/incidents/probe.ts', "const lazy = (name: string) => import(`../${name}/bot.js`);", 'lazy'],
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
  ['core (a subfolder) imports core above it', 'src/core/secrets/probe.ts', "import { redact } from '../redact.js';", 'redact'],
  ['core reads the catalog files in catalog-files.ts', 'src/core/catalog-files.ts', "import { readFileSync } from 'node:fs';", 'readFileSync'],
  ['incidents load their own driver dynamically', 'src/incidents/probe.ts', "const lazy = () => import('./postgres.js');", 'lazy'],
  ['cards import their templates', 'src/cards/probe.ts', "import help from '../../cards/help.json' with { type: 'json' };", 'help'],
  ['teams import the diagnosis pool and the logger', 'src/teams/probe.ts', "import type { DiagnosisPool } from '../diagnosis/pool.js';\nimport { createLogger } from '../log.js';\nlet p: DiagnosisPool | undefined;", 'p, createLogger'],
  ['the CLI imports the entry-point check', 'src/cli/probe.ts', "import { isEntryPoint } from '../entry-point.js';", 'isEntryPoint'],
];

describe('layers as lint rules', () => {
  it.each(forbidden)('refuses: %s', async (_name, filePath, statement, name) => {
    expect(await ruleErrors(filePath, probe(statement, name))).toEqual([LAYER_RULE]);
  });

  it.each(allowed)('allows: %s', async (_name, filePath, statement, name) => {
    expect(await ruleErrors(filePath, probe(statement, name))).toEqual([]);
  });
});
