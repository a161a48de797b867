import { Journey } from '#shared/journey/schema.ts';
import type { Template } from '#shared/templates.ts';

/** The template of the one-email journey below. */
export const ONE_EMAIL_TEMPLATES = new Map<string, Template>([
  ['reminder', { channel: 'email', subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' }],
]);

/** One email on a cart update, then an exit: the journey of the send-fault tests that run a whole execution. */
export const ONE_EMAIL_JOURNEY = Journey.parse({
  id: 'throttled',
  name: 'Throttled',
  trigger: { type: 'event', event: 'Cart Updated' },
  start: 'remind',
  steps: {
    remind: { type: 'email', template: 'reminder', next: 'after' },
    after: { type: 'exit', reason: 'after the reminder' },
  },
});
