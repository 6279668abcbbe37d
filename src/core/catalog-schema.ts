// The catalog file format: one zod schema (and the JSON Schema editors use) with the limits that
// keep catalog text data, not a weapon. Loading and checking live in catalog.ts.
import { z } from 'zod';
import type { Actor } from './types.js';

export const ACTORS = ['app-admin', 'mda-admin', 'microsoft-support', 'anyone'] as const satisfies readonly Actor[];

// ---------------------------------------------------------------------------------------------
// File format

/**
 * Limits that keep catalog text data, not a weapon: a card must stay under Teams' 28 KB, a
 * stored escalation small, and an organisation file cannot make the bot read without end.
 */
export const CATALOG_LIMITS = Object.freeze({
  /** Bytes of one catalog file. The largest built-in file is about 11 KB. */
  fileBytes: 256 * 1024,
  /** YAML aliases (*ref) one file may expand; a few are handy, thousands are an attack. */
  yamlAliases: 50,
  message: 2000,
  cause: 2000,
  step: 1000,
  steps: 12,
  supportCase: 1000,
  /** Names, aliases, hints and phrases. */
  name: 200,
  /** Items in one list (aliases, hints, each kind of signal). */
  listItems: 50,
  /** Entries in one file. */
  entries: 500,
  /** Characters of message, cause, steps and support case together: what one card shows. */
  entryText: 8000,
});

const text = z.string().trim().min(1, 'must not be empty');
const capped = (max: number) => text.max(max, `is longer than ${max} characters (cards must stay under 28 KB)`);
const list = <T extends z.ZodType>(item: T) => z.array(item).max(CATALOG_LIMITS.listItems, `has more than ${CATALOG_LIMITS.listItems} items`);

/**
 * Whether a message, alias, hint or phrase carries a word: reduced to letters and digits it keeps
 * at least three. "(a+)+$" reduces to "a", which every sentence contains.
 */
export function carriesWords(value: string): boolean {
  return value.normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, '').length >= 3;
}
const worded = (max: number) => capped(max).refine(carriesWords, 'must carry a word of at least three letters or digits (it would match nearly every paste)');
const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lowercase slug such as box-invalid-refresh-token');
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });

export const signalsFields = {
  codes: list(z.string().regex(/^[A-Za-z0-9_]+$/, 'must be one token such as AADSTS70008 or E0000011').refine(carriesWords, 'must be at least three letters or digits'))
    .describe('Error codes, matched as whole tokens, case-insensitively: AADSTS70008, AF20012, E0000011, INVALID_SESSION_ID.'),
  exceptions: list(
      z
        .string()
        .regex(
          /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/,
          'must be a class name, simple or qualified, such as TokenRefreshException',
        )
        .max(CATALOG_LIMITS.name, `is longer than ${CATALOG_LIMITS.name} characters`)
        .refine(carriesWords, 'must be at least three letters or digits'),
    )
    .describe('Exception class names, simple and qualified.'),
  statuses: list(z.number().int().min(100).max(599))
    .describe('HTTP statuses the error carries. Shared statuses (401, 403) never decide alone.'),
  phrases: list(worded(CATALOG_LIMITS.name)).describe('Vendor and portal wording: invalid_grant, Invalid refresh token, team_not_authorized.'),
  hosts: list(
      z
        .string()
        .regex(
          /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/,
          'must be a lowercase host name, optionally starting with *. for any subdomain',
        ),
    )
    .describe('Upstream API hosts; *.example.com means any subdomain of example.com.'),
};

const signalsSchema = z
  .strictObject({
    codes: signalsFields.codes.default([]),
    exceptions: signalsFields.exceptions.default([]),
    statuses: signalsFields.statuses.default([]),
    phrases: signalsFields.phrases.default([]),
    hosts: signalsFields.hosts.default([]),
  })
  .describe('What makes real pastes match beyond the portal wording.');

const resolutionSchema = z.strictObject({
  actor: z.enum(ACTORS).describe('Who performs the steps.'),
  retryHelps: z.boolean().describe('Whether Test now, or simply waiting, can clear the error.'),
  steps: z
    .array(capped(CATALOG_LIMITS.step))
    .min(1, 'needs at least one step')
    .max(CATALOG_LIMITS.steps, `has more than ${CATALOG_LIMITS.steps} steps`)
    .describe('Ordered, actionable steps.'),
  supportCase: capped(CATALOG_LIMITS.supportCase).optional().describe('When to open a Microsoft support case.'),
});

const entrySchema = z.strictObject({
  id: slug.describe('Unique across the whole catalog, extras included.'),
  ref: z
    .string()
    .regex(/^mda-\d{2}$/, 'must look like mda-05')
    .optional()
    .describe("Row of Microsoft's troubleshooting table (mda-01..mda-36); absent for local additions."),
  message: z
    .string()
    .min(1, 'must not be empty')
    .max(CATALOG_LIMITS.message, `is longer than ${CATALOG_LIMITS.message} characters (cards must stay under 28 KB)`)
    .refine(carriesWords, 'must carry a word of at least three letters or digits (it would match nearly every paste)')
    .describe('The error exactly as the portal shows it.'),
  signals: signalsSchema.default({ codes: [], exceptions: [], statuses: [], phrases: [], hosts: [] }),
  cause: capped(CATALOG_LIMITS.cause).describe('Why it happens, in our own words.'),
  resolution: resolutionSchema,
  learnMore: httpsUrl.optional().describe("Defaults to the app's learnMore."),
});

const overrideSchema = z
  .strictObject({
    id: slug.describe('Id of an existing entry (built-in or extra).'),
    cause: capped(CATALOG_LIMITS.cause).optional(),
    resolution: resolutionSchema.partial().optional().describe('Fields given replace the entry’s fields.'),
    learnMore: httpsUrl.optional(),
    addSignals: z
      .strictObject({
        codes: signalsFields.codes.optional(),
        exceptions: signalsFields.exceptions.optional(),
        statuses: signalsFields.statuses.optional(),
        phrases: signalsFields.phrases.optional(),
        hosts: signalsFields.hosts.optional(),
      })
      .optional()
      .describe('Signals appended to the entry’s own.'),
  })
  .superRefine((value, ctx) => {
    if (!value.cause && !value.resolution && !value.learnMore && !value.addSignals) {
      ctx.addIssue({ code: 'custom', message: 'changes nothing: give cause, resolution, learnMore or addSignals' });
    }
  });

const appSchema = z.strictObject({
  id: slug.describe('Stable app id; a file with only the id adds to an app defined elsewhere.'),
  name: capped(CATALOG_LIMITS.name).optional().describe('Display name; present only where the app is defined.'),
  aliases: list(worded(CATALOG_LIMITS.name)).default([]).describe('Other names people use, matched case- and space-insensitively.'),
  hints: list(worded(CATALOG_LIMITS.name)).default([]).describe('Substrings of a paste that point at this app: hosts, package names.'),
  learnMore: httpsUrl.optional().describe('The current learn.microsoft.com page for this connector.'),
});

export const catalogFileSchema = z
  .strictObject({
    app: appSchema.optional(),
    entries: z.array(entrySchema).max(CATALOG_LIMITS.entries, `has more than ${CATALOG_LIMITS.entries} entries`).default([]),
    overrides: z.array(overrideSchema).max(CATALOG_LIMITS.entries, `has more than ${CATALOG_LIMITS.entries} overrides`).default([]).describe('Changes to existing entries, by id.'),
  })
  .superRefine((file, ctx) => {
    if (file.app?.name !== undefined && file.app.learnMore === undefined) {
      ctx.addIssue({ code: 'custom', path: ['app', 'learnMore'], message: 'is required where an app is defined' });
    }
    if (file.entries.length > 0 && file.app === undefined) {
      ctx.addIssue({ code: 'custom', path: ['app'], message: 'is required when the file has entries' });
    }
  })
  .meta({
    title: 'Connector Doctor catalog file',
    description: 'One app of the error catalog with its entries, or additions and overrides from an organisation.',
  });

export type CatalogFile = z.output<typeof catalogFileSchema>;
export type OverrideSpec = CatalogFile['overrides'][number];

/** JSON Schema of a catalog file, for editors (catalog/schema.json). */
export function catalogJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(catalogFileSchema, { io: 'input' }),
    $id: 'https://connector-doctor.local/catalog/schema.json',
  };
}
