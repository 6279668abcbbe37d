// A card button press, from Action.Execute or its Action.Submit fallback: check the data, apply
// it to the incident through the store, and render the card the incident now deserves.
import type { AdaptiveCard } from '../cards/render.js';
import type { Matcher } from '../core/types.js';
import type { Incident, IncidentStore, Person } from '../incidents/types.js';
import type { Metrics } from '../metrics.js';
import { cardVerbs } from './actions/index.js';
import { renderIncident } from './incident-view.js';

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
}

export type CardActionResult =
  | {
      ok: true;
      incident: Incident;
      /** The incident's card as everyone in the conversation should see it. */
      card: AdaptiveCard;
      /** The card for the person who pressed: the same, plus why nothing changed when the press came too late. */
      presserCard: AdaptiveCard;
      /** Why the press was not applied (a colleague moved the incident first), if it was not. */
      notice?: string;
      changed: boolean;
    }
  | { ok: false; code: string; message: string };

const INCIDENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function runCardAction(deps: CardActionDeps, press: CardPress): Promise<CardActionResult> {
  const verbName = typeof press.verb === 'string' ? press.verb : '';
  const verb = cardVerbs.get(verbName);
  const label = verb ? verb.verb : 'unknown';
  if (!verb) {
    deps.metrics.cardActions.inc({ verb: label, outcome: 'bad-request' });
    return { ok: false, code: 'UnknownVerb', message: 'This button is not one I know.' };
  }
  const data = typeof press.data === 'object' && press.data !== null && !Array.isArray(press.data) ? (press.data as Record<string, unknown>) : {};
  const incidentId = data.incidentId;
  if (typeof incidentId !== 'string' || !INCIDENT_ID.test(incidentId)) {
    deps.metrics.cardActions.inc({ verb: label, outcome: 'bad-request' });
    return { ok: false, code: 'BadData', message: 'The button did not say which incident it is about.' };
  }
  const incident = await deps.store.get(incidentId);
  if (!incident || incident.conversationId !== press.conversationId) {
    deps.metrics.cardActions.inc({ verb: label, outcome: 'not-found' });
    return { ok: false, code: 'IncidentNotFound', message: 'I cannot find this incident in this conversation.' };
  }
  const decision = verb.decide({ data, incident, catalog: deps.matcher.catalog });
  if ('error' in decision) {
    deps.metrics.cardActions.inc({ verb: label, outcome: 'bad-request' });
    return { ok: false, ...decision.error };
  }
  const targets = decision.action.kind === 'escalate' ? await deps.escalation.targets() : [];
  const outcome = await deps.store.apply(
    { incidentId, conversationId: press.conversationId, actor: press.actor, action: decision.action, at: deps.clock() },
    targets,
    (current) => deps.escalation.buildPayload(current),
  );
  if (outcome.status === 'not-found') {
    deps.metrics.cardActions.inc({ verb: label, outcome: 'not-found' });
    return { ok: false, code: 'IncidentNotFound', message: 'I cannot find this incident in this conversation.' };
  }
  deps.metrics.cardActions.inc({ verb: label, outcome: outcome.status });
  if (outcome.status === 'applied' && decision.action.kind === 'escalate') deps.escalation.onEscalated?.(outcome.incident);
  // Rejected or unchanged: the press came late (a colleague was faster); show the current state, and
  // tell the presser when what they asked for did not happen (an escalation nobody sent is worse than none).
  const card = renderIncident(outcome.incident, deps.matcher);
  if (outcome.status !== 'rejected') return { ok: true, incident: outcome.incident, card, presserCard: card, changed: outcome.status === 'applied' };
  const notice = `Not done: ${outcome.reason}`;
  return { ok: true, incident: outcome.incident, card, presserCard: renderIncident(outcome.incident, deps.matcher, undefined, notice), notice, changed: false };
}
