import { isDeepStrictEqual } from 'node:util';
import type { CallMatch, WebhookScript } from './webhook-schema.ts';

/** A call as the endpoint received it: the path as in the journey's URL, the parsed JSON body. */
export type WebhookRequest = { method: string; path: string; body: unknown };

/** Whether a call has the method, the path and every body field a match names. */
export function matchesCall(match: CallMatch | undefined, request: WebhookRequest): boolean {
  if (match === undefined) return true;
  if (match.method !== undefined && match.method !== request.method) return false;
  if (match.path !== undefined && match.path !== request.path) return false;
  return Object.entries(match.body ?? {}).every(([path, value]) => {
    const found = fieldAt(request.body, path.split('.'));
    return found.present && isDeepStrictEqual(found.value, value);
  });
}

/** A field of parsed JSON by path; only own properties are followed (a body's keys are data). */
function fieldAt(value: unknown, path: readonly string[]): { present: boolean; value?: unknown } {
  const [head, ...rest] = path;
  if (head === undefined) return { present: true, value };
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, head)) return { present: false };
  const field: unknown = Object.getOwnPropertyDescriptor(value, head)?.value;
  return fieldAt(field, rest);
}

/** Which reply a call got: the rule's index in `replies`, or the default. */
export type Picked = { reply: NonNullable<WebhookScript['default']>; rule: number | 'default' };

/**
 * The replies of one connection during one scenario: the first rule whose
 * match fits and whose `times` are not used up answers; else the default.
 */
export class ReplyScript {
  readonly #used = new Map<number, number>();

  constructor(readonly script: WebhookScript) {}

  pick(request: WebhookRequest): Picked | undefined {
    for (const [index, rule] of this.script.replies.entries()) {
      const used = this.#used.get(index) ?? 0;
      if ((rule.times !== undefined && used >= rule.times) || !matchesCall(rule.match, request)) continue;
      this.#used.set(index, used + 1);
      return { reply: rule.reply, rule: index };
    }
    return this.script.default === undefined ? undefined : { reply: this.script.default, rule: 'default' };
  }
}
