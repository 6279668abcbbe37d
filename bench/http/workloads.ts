// What the load consists of: pastes (each answered with cards, whose Mark resolved buttons are kept
// for later), and presses of those buttons (Mark resolved, then Reopen from the card it answers, ...).
import { freshParties, pasteMessage, pressInvoke, type Conversation } from './activities.js';
import type { ConnectionContext, Workload } from './load.js';
import { buttonData, cardInInvokeAnswer, cardsInReplies } from './replies.js';

/** A card button that can be pressed: the button's data and the conversation the card lives in. */
export interface PressTarget {
  conversation: Conversation;
  data: Record<string, unknown>;
}

/** The verbs that flip an incident back and forth; presses alternate between them. */
const FLIP_VERBS = ['resolve', 'reopen'] as const;

/**
 * Cards harvested from paste answers, pressed in turn. With far more cards than connections no two
 * connections press the same card at once, and each conversation is pressed rarely (no press limit).
 */
export class PressTargets {
  private readonly targets: PressTarget[] = [];
  private cursor = 0;
  constructor(private readonly capacity = 50_000) {}

  add(target: PressTarget): void {
    if (this.targets.length < this.capacity) this.targets.push(target);
  }

  get size(): number {
    return this.targets.length;
  }

  next(): PressTarget {
    const target = this.targets[this.cursor % this.targets.length];
    if (!target) throw new Error('no card to press: no paste answer carried a Mark resolved button');
    this.cursor += 1;
    return target;
  }
}

let pasteCounter = 0;

/** Distinct pastes; with `verify`, every answer is parsed for cards (and their buttons kept in `harvest`). */
export function pasteWorkload(options: { verify: boolean; harvest?: PressTargets }): Workload {
  return {
    nextBody(context) {
      const message = pasteMessage(pasteCounter++);
      context.conversation = { conversationId: message.conversationId, tenantId: message.tenantId } satisfies Conversation;
      return message.body;
    },
    check: options.verify
      ? (body, context) => {
          const cards = cardsInReplies(body);
          if (options.harvest) {
            for (const card of cards) {
              const data = buttonData(card, ['resolve']);
              if (data) options.harvest.add({ conversation: context.conversation as Conversation, data });
            }
          }
          return cards.length > 0;
        }
      : undefined,
  };
}

/** Presses of harvested buttons; each answer's card supplies the next press of that card (resolve <-> reopen). */
export function pressWorkload(targets: PressTargets): Workload {
  return {
    nextBody(context: ConnectionContext) {
      const target = targets.next();
      context.target = target;
      return pressInvoke(target.conversation, target.data);
    },
    check(body, context) {
      const card = cardInInvokeAnswer(body);
      if (!card) return false;
      const next = buttonData(card, FLIP_VERBS);
      if (next) (context.target as PressTarget).data = next;
      return true;
    },
  };
}

/** Presses on a bot that answers any press with a fixed card: fresh parties, fixed button data. */
export function fixedPressWorkload(): Workload {
  const data = { verb: 'resolve', incidentId: '00000000-0000-4000-8000-000000000000' };
  return {
    nextBody: () => pressInvoke(freshParties(), data),
    check: (body) => cardInInvokeAnswer(body) !== undefined,
  };
}
