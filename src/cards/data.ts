// The typed data each card template in cards/*.json is expanded with. Strings that end up in a
// TextBlock or a Fact are plainText()-escaped; strings in a TextRun (`Run.text`, excerpt lines) are
// literalText(), shown exactly; names ending in Url or Id are neither.

/** Adaptive Card container styles; a badge always says its state in words and an icon too. */
export type BadgeStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';

/** A piece of a RichTextBlock line: literal text, bold or not. */
export interface Run {
  text: string;
  weight: 'Default' | 'Bolder';
}

export interface Line {
  runs: Run[];
}

/** The state at the top of a card: "✔ Resolved by Bob Desk, Tue, Dec 1, 2026 10:42 AM". */
export interface Badge {
  style: BadgeStyle;
  lines: Line[];
}

/** Shared by the three incident cards (diagnosis, ambiguous, no-match). */
export interface IncidentCardCommon {
  incidentId: string;
  badge: Badge;
  /** "☝ Okta, chosen by Bea, ..." once a person chose; empty otherwise. */
  choice: Line[];
  /** "1 secret removed (an Authorization header). ..." or ''. */
  secretNotice: string;
  /** Only on the card answering a press that could not be applied: why ("Not done: ..."), or ''. */
  pressNotice: string;
  /** The redacted excerpt, one entry per line (one TextRun each, so no client joins lines). */
  excerptLines: { text: string }[];
  /** "Showing the first 2,000 of 61,440 characters." or ''. */
  excerptNote: string;
  /** Above the excerpt: "What you pasted", or for an alert "What the alert said". */
  excerptHeading: string;
  showResolve: boolean;
  showReopen: boolean;
  /** The Escalate button with the note form: a destination exists. */
  escalateForm: boolean;
  /** The Escalate button that says there is no destination yet and how to set one up. */
  escalateExplain: boolean;
  /** "Send to support again": an escalation nobody received, and a destination exists now. */
  showResend: boolean;
  /** An alert's card: "⚐ Alert from Microsoft Sentinel: <title>"; empty for a paste. */
  alertLines: Line[];
  /** https link to the alert where it came from, or ''. */
  alertLinkUrl: string;
  /** "Open in Microsoft Sentinel"; raw (button titles render no Markdown). */
  alertLinkTitle: string;
}

export interface Alternative {
  entryId: string;
  /** "Box: The Box account that was connected is not on a Box Enterprise plan." */
  text: string;
  /** "It's Box instead" (or "It's this one instead" for another error of the same app); raw: titles render no Markdown. */
  buttonTitle: string;
}

export interface DiagnosisCardData extends IncidentCardCommon {
  /** "Box connector: Box no longer accepts the refresh token ..." */
  title: string;
  facts: { title: string; value: string }[];
  steps: { number: string; text: string }[];
  /** "Known as: ..." when the paste words the error differently, or ''. */
  knownAs: string;
  cause: string;
  supportCase: string;
  alternatives: Alternative[];
  /** https URL of the app's connector page. */
  learnMoreUrl: string;
}

export interface AmbiguousCardData extends IncidentCardCommon {
  candidateList: string;
  /** appName is escaped for Facts; buttonName is raw, since button titles render no Markdown. */
  candidates: { appId: string; appName: string; buttonName: string; message: string }[];
}

export interface NoMatchCardData extends IncidentCardCommon {
  /** "I don't know this error yet", or for an alert "Alert without a recognisable connector error". */
  headline: string;
  /** What the bot recognised (codes, hosts, app names from the paste): literal, for a TextRun. */
  understood: string;
  suggestions: { appName: string; message: string }[];
}

export type HelpCardData = Record<string, never>;
export type WelcomeCardData = Record<string, never>;

export interface AppsCardData {
  appCount: string;
  entryCount: string;
  apps: { name: string; errors: string }[];
}

export interface SearchCardData {
  /** Literal, for a TextRun: the words the person typed (redacted). */
  query: string;
  results: { appName: string; message: string; cause: string }[];
  moreNote: string;
}

export interface StatsWindowData {
  /** "Last 7 days: 4 incidents", or "Last 7 and 30 days: 4 incidents" when both are the same. */
  heading: string;
  open: string;
  resolved: string;
  escalated: string;
  medianTimeToResolve: string;
  byApp: string;
  /** label: escaped for the text fallback; chartLabel: raw, for the chart's axis. */
  topErrors: { rank: string; label: string; chartLabel: string; count: number }[];
}

export interface StatsCardData {
  windows: StatsWindowData[];
  escalations: string;
  /** "3 received, 1 deduplicated, 2 posted, 1 cleared at the source" (last 30 days), or '' when no alert came. */
  alerts: string;
}

export interface SupportEscalationCardData {
  incidentId: string;
  /** "Escalated: Salesforce: Service timeout" */
  title: string;
  badge: Badge;
  /** Who escalated, who reported, the note: lines of literal runs. */
  lines: Line[];
  /** "Known error: ..." in words. */
  diagnosis: string;
  cause: string;
  excerptLines: { text: string }[];
  excerptNote: string;
  /** Teams link back to the card (or its chat), or '' when Teams allows none. */
  linkUrl: string;
  /** Why there is no link, when there is none. */
  noLinkNote: string;
  pressNotice: string;
  showAcknowledge: boolean;
  showTake: boolean;
}

/** A known error as a read-only card (the message extension's search inserts it). */
export interface CatalogEntryCardData {
  /** "Okta connector: Okta rejects the API token the connector uses" */
  title: string;
  /** "The portal says: ..." */
  message: string;
  facts: { title: string; value: string }[];
  cause: string;
  steps: { number: string; text: string }[];
  /** Where the card comes from, and how to track the error instead. */
  source: string;
  learnMoreUrl: string;
}

export interface NoteCardData {
  title: string;
  lines: { text: string }[];
}

export interface CardDataByName {
  diagnosis: DiagnosisCardData;
  ambiguous: AmbiguousCardData;
  'no-match': NoMatchCardData;
  help: HelpCardData;
  welcome: WelcomeCardData;
  apps: AppsCardData;
  search: SearchCardData;
  stats: StatsCardData;
  'support-escalation': SupportEscalationCardData;
  'catalog-entry': CatalogEntryCardData;
  note: NoteCardData;
}

export type CardName = keyof CardDataByName;
