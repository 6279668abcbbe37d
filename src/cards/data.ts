// The typed data each card template in cards/*.json is expanded with. Every string here is
// already plain-text escaped (see plain-text.ts) unless its name says it is a URL or an id.

export type StatusColor = 'Default' | 'Good' | 'Attention' | 'Warning' | 'Accent';

/** Shared by the three incident cards (diagnosis, ambiguous, no-match). */
export interface IncidentCardCommon {
  incidentId: string;
  /** The redacted excerpt, one entry per line (one TextBlock each, so no client joins lines). */
  excerptLines: { text: string }[];
  /** "Showing the first 2,000 of 61,440 characters." or ''. */
  excerptNote: string;
  status: string;
  statusColor: StatusColor;
  /** "Note for support: …" while escalated with a note, or ''. */
  statusNote: string;
  /** "Seen 3 times in this conversation" or ''. */
  repeatLine: string;
  /** Only on the card answering a press that could not be applied: why ("Not escalated: ..."), or ''. */
  pressNotice: string;
  showResolve: boolean;
  showEscalate: boolean;
  showReopen: boolean;
}

export interface DiagnosisCardData extends IncidentCardCommon {
  title: string;
  message: string;
  cause: string;
  steps: { number: string; text: string }[];
  actor: string;
  retry: string;
  confidence: string;
  supportCase: string;
  runnerUp: string;
  /** https URL of the app's connector page. */
  learnMore: string;
}

export interface AmbiguousCardData extends IncidentCardCommon {
  candidateList: string;
  /** appName is escaped for TextBlocks; buttonName is raw, since button titles render no Markdown. */
  candidates: { appId: string; appName: string; buttonName: string; message: string }[];
}

export interface NoMatchCardData extends IncidentCardCommon {
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
  query: string;
  results: { appName: string; message: string; cause: string }[];
  moreNote: string;
}

export interface StatsCardData {
  windows: {
    days: string;
    total: string;
    open: string;
    resolved: string;
    escalated: string;
    medianTimeToResolve: string;
    byApp: string;
    topErrors: { rank: string; label: string; count: string }[];
  }[];
  escalations: string;
}

export interface SupportEscalationCardData {
  title: string;
  escalatedBy: string;
  escalatedAt: string;
  reporter: string;
  appName: string;
  verdict: string;
  incidentId: string;
  note: string;
  excerptLines: { text: string }[];
  excerptNote: string;
  cause: string;
  /** Link back to the incident's card in Teams, or '' when the conversation has none. */
  link: string;
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
}

export type CardName = keyof CardDataByName;
