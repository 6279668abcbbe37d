// A card button press, from Action.Execute or its Action.Submit fallback: find the incident in the
// pressing conversation (its chat, or support's post about it), check the data, apply it through
// the store, and render the cards the incident now deserves, here and in the other place.
import { historyOf, type IncidentHistory } from '../cards/history.js';
import type { AdaptiveCard } from '../cards/render.js';
import type { Matcher } from '../core/types.js';
import { isStoreError } from '../core/errors.js';
import { withStoreBudget } from '../incidents/budget.js';
import type { ActionOutcome, Incident, IncidentStore, Person } from '../incidents/types.js';
import type { Metrics } from '../metrics.js';
import { cardVerbs, type CardPlace } from './actions/index.js';
import { historyFor, incidentCardFor, peopleOf, supportCardFor, type ViewDeps } from './incident-view.js';
import { pressFaultMessage } from './store-fault.js';

/** Where escalations go and what they carry; wired in index.ts from configuration. */
export interface EscalationWiring {
  /** Outbox targets for a new escalation (`webhook`, `teams-channel`); may be empty. */
  targets(): Promise<string[]>;
  /** The payload stored in the outbox for each target. */
  buildPayload(incident: Incident): unknown;
  /** Called after an escalation was recorded (e.g. wake the outbox worker). */
  onEscalated?(incident: Incident): void;
}

export interface CardActionDeps {
  store: IncidentStore;
  matcher: Matcher;
  metrics: Metrics;
  clock: () => Date;
  escalation: EscalationWiring;
}

export interface CardPress {
  verb: unknown;
  data: unknown;
  /** From the activity, never from the card. */
  conversationId: string;
  actor: Person;
  /** Who gets the answered card refreshed automatically (the pressing conversation's members). */
  refreshUserIds?: readonly string[];
  /** The same for another conversation, when the bot knows it. */
  refreshUserIdsOf?: (conversationId: string) => readonly string[] | undefined;
}

/** A message showing one of the incident's cards, outside the pressing conversation. */
export interface CardElsewhere {
  conversationId: string;
  serviceUrl?: string;
  activityId: string;
  card: AdaptiveCard;
}

export type CardActionResult =
  | {
      ok: true;
      incident: Incident;
      place: CardPlace;
      /** The incident's card as everyone where the button was pressed should see it. */
      card: AdaptiveCard;
      /** The card for the person who pressed: the same, plus why nothing changed when the press came too late. */
      presserCard: AdaptiveCard;
      /** The message holding `card`, when the press does not say (Teams sends it as replyToId). */
      activityId?: string;
      /** The incident's card in the other place (support's post, or the original chat), to update too. */
      elsewhere?: CardElsewhere;
      /** Why the press was not applied (a colleague moved the incident first), if it was not. */
      notice?: string;
      changed: boolean;
      /** Only the current card was asked for (a refresh): nobody else's view needs replacing. */
      readOnly?: boolean;
    }
  | { ok: false; code: string; message: string };

const INCIDENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Channel threads (`19:...;messageid=...`) belong to their channel. */
const channelOf = (conversationId: string) => conversationId.split(';')[0] ?? conversationId;

/** Where the press comes from: the incident's own conversation, or its support post's channel. */
function placeOf(incident: Incident, history: IncidentHistory, conversationId: string): CardPlace | undefined {
  if (incident.conversationId === conversationId) return 'chat';
  const post = history.supportPost;
  if (post && channelOf(post.conversationId) === channelOf(conversationId)) return 'support';
  return undefined;
}

const NO_DESTINATION_NOTICE =
  'Not sent: there is nowhere to send escalations yet. Type set support channel in the team channel where support works (mention me there), ' +
  'or ask whoever runs me to set SUPPORT_WEBHOOK_URL; then press Escalate to support again.';

/**
 * How long all of one press's store operations together may wait for a database lock (SQLite:
 * another process's; queued behind the outbox poll included). Teams gives up after about 5 s; the
 * press answers "busy, try again" after at most this plus the rendering.
 */
export const PRESS_LOCK_BUDGET_MS = 2_000;

export function runCardAction(deps: CardActionDeps, press: CardPress): Promise<CardActionResult> {
  return withStoreBudget(PRESS_LOCK_BUDGET_MS, () => runCardActionWithin(deps, press));
}

async function runCardActionWithin(deps: CardActionDeps, press: CardPress): Promise<CardActionResult> {
  const verbName = typeof press.verb === 'string' ? press.verb : '';
  const verb = cardVerbs.get(verbName);
  const label = verb ? verb.verb : 'unknown';
  const fail = (outcome: string, code: string, message: string): CardActionResult => {
    deps.metrics.cardActions.inc({ verb: label, outcome });
    return { ok: false, code, message };
  };
  if (!verb) return fail('bad-request', 'UnknownVerb', 'This button is not one I know.');
  const data = typeof press.data === 'object' && press.data !== null && !Array.isArray(press.data) ? (press.data as Record<string, unknown>) : {};
  const incidentId = data.incidentId;
  if (typeof incidentId !== 'string' || !INCIDENT_ID.test(incidentId)) return fail('bad-request', 'BadData', 'The button did not say which incident it is about.');
  const notFound = () => fail('not-found', 'IncidentNotFound', 'I cannot find this incident in this conversation.');
  const incident = await deps.store.get(incidentId);
  if (!incident) return notFound();
  const history = await historyFor(deps.store, incident.id);
  const place = placeOf(incident, history, press.conversationId);
  // A press replayed from anywhere else (or a support button in the chat) is an unknown incident.
  if (!place || !verb.places.includes(place)) return notFound();
  const decision = verb.decide({ data, incident, history, catalog: deps.matcher.catalog, matcher: deps.matcher });
  if ('error' in decision) return fail('bad-request', decision.error.code, decision.error.message);

  let targets: Promise<string[]> | undefined;
  const destinations = () => (targets ??= deps.escalation.targets());
  const views: ViewDeps = { matcher: deps.matcher, store: deps.store, hasDestination: async () => (await destinations()).length > 0 };
  const render = (current: Incident, where: CardPlace, currentHistory: IncidentHistory, pressNotice?: string) =>
    where === 'chat'
      ? incidentCardFor(views, current, {
          history: currentHistory,
          pressNotice,
          refreshUserIds: where === place ? press.refreshUserIds : (press.refreshUserIdsOf?.(current.conversationId) ?? peopleOf(current)),
        })
      : supportCardFor(views, current, { history: currentHistory, pressNotice });

  if ('show' in decision || (decision.action.kind === 'escalate' && (await destinations()).length === 0)) {
    const card = await render(incident, place, history);
    // Escalate with nowhere to send: say so to the presser instead of recording an escalation nobody gets.
    const notice = 'show' in decision ? undefined : NO_DESTINATION_NOTICE;
    deps.metrics.cardActions.inc({ verb: label, outcome: notice ? 'rejected' : 'shown' });
    const presserCard = notice ? await render(incident, place, history, notice) : card;
    return { ok: true, incident, place, card, presserCard, notice, changed: false, readOnly: !notice, activityId: activityIdIn(place, incident, history) };
  }

  const action = decision.action;
  let outcome: ActionOutcome;
  try {
    outcome = await deps.store.apply(
      // The store checks the conversation again: a support press acts in the incident's own.
      { incidentId, conversationId: incident.conversationId, actor: press.actor, action, at: deps.clock() },
      action.kind === 'escalate' ? await destinations() : [],
      (current) => deps.escalation.buildPayload(current),
    );
  } catch (error) {
    // Locked past the budget, read-only, full: the presser gets the card as it was, its buttons
    // still there, saying nothing changed and whether pressing again soon helps. Nobody else's view changes.
    if (!isStoreError(error)) throw error;
    deps.metrics.cardActions.inc({ verb: label, outcome: 'store-failed' });
    const notice = pressFaultMessage(error);
    const card = await render(incident, place, history);
    const presserCard = await render(incident, place, history, notice);
    return { ok: true, incident, place, card, presserCard, notice, changed: false, readOnly: true, activityId: activityIdIn(place, incident, history) };
  }
  if (outcome.status === 'not-found') return notFound();
  deps.metrics.cardActions.inc({ verb: label, outcome: outcome.status });
  if (outcome.status === 'applied' && action.kind === 'escalate') deps.escalation.onEscalated?.(outcome.incident);
  const current = outcome.incident;
  // An applied press: the trail with its change in it, as the store's transaction read it (or read now).
  const after = outcome.status === 'applied' ? (outcome.events ? historyOf(outcome.events) : await historyFor(deps.store, current.id)) : history;
  const card = await render(current, place, after);
  const other: CardPlace = place === 'chat' ? 'support' : 'chat';
  const otherActivity = activityIdIn(other, current, after);
  const elsewhere: CardElsewhere | undefined =
    outcome.status === 'applied' && otherActivity
      ? {
          conversationId: other === 'chat' ? current.conversationId : after.supportPost!.conversationId,
          serviceUrl: other === 'chat' ? current.serviceUrl : after.supportPost?.serviceUrl,
          activityId: otherActivity,
          card: await render(current, other, after),
        }
      : undefined;
  const base = { ok: true as const, incident: current, place, card, elsewhere, activityId: activityIdIn(place, current, after) };
  // Rejected or unchanged: the press came late (a colleague was faster); show the current state, and
  // tell the presser when what they asked for did not happen (an escalation nobody sent is worse than none).
  if (outcome.status !== 'rejected') return { ...base, presserCard: card, changed: outcome.status === 'applied' };
  const notice = `Not done: ${outcome.reason}`;
  return { ...base, presserCard: await render(current, place, after, notice), notice, changed: false };
}

function activityIdIn(place: CardPlace, incident: Incident, history: IncidentHistory): string | undefined {
  return place === 'chat' ? incident.activityId : history.supportPost?.activityId;
}
