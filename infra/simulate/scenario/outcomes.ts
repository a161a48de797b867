import { durationSeconds } from '#shared/time.ts';
import { randomStream } from './random.ts';
import type { Messages } from './spec.ts';

/**
 * What becomes of each message a forecast sends, drawn from the scenario's
 * `messages` shares. A message's draw depends only on the seed, its
 * recipient, when it was sent and how many went to that recipient at that
 * same moment before it: a customer's messages are all sent in one thread,
 * in the same order, so the forecast is the same for any number of threads.
 */

export type EmailOutcome = {
  outcome: 'delivered' | 'bounced' | 'opened' | 'clicked' | 'complained';
  at: number;
};
export type SmsOutcome = 'delivered' | 'undelivered';

function ms(duration: string): number {
  return (durationSeconds(duration) ?? 0) * 1000;
}

export class MessageOutcomes {
  /** Messages per recipient at the current moment only: cleared as soon as the clock moves on. */
  private readonly atMoment = new Map<string, number>();
  private moment = Number.NaN;

  constructor(
    private readonly seed: number,
    private readonly messages: Messages,
  ) {}

  private draws(channel: string, recipient: string, sentMs: number): () => number {
    if (sentMs !== this.moment) {
      this.atMoment.clear();
      this.moment = sentMs;
    }
    const key = `${channel} ${recipient}`;
    const nth = this.atMoment.get(key) ?? 0;
    this.atMoment.set(key, nth + 1);
    return randomStream(`${this.seed}:${channel}:${recipient}:${sentMs}:${nth}`);
  }

  /** What SES and the customer do with an email reaching SES at `deliveredMs`, in time order. */
  email(recipient: string, sentMs: number, deliveredMs: number): EmailOutcome[] {
    const { bounced, opened, clicked, complained } = this.messages.email;
    const r = this.draws('email', recipient, sentMs);
    // Every draw is taken whatever the shares, so changing one share moves no other outcome.
    const [bounce, react, openAt, clickAt, complaint, complaintAt] = [r(), r(), r(), r(), r(), r()];
    if (bounce < bounced) return [{ outcome: 'bounced', at: deliveredMs }];
    const out: EmailOutcome[] = [{ outcome: 'delivered', at: deliveredMs }];
    const click =
      clicked !== undefined && react < clicked.share
        ? deliveredMs + Math.floor(clickAt * ms(clicked.within))
        : undefined;
    if (opened !== undefined && react < opened.share) {
      const open = deliveredMs + Math.floor(openAt * ms(opened.within));
      out.push({ outcome: 'opened', at: click === undefined ? open : Math.min(open, click) });
    }
    if (click !== undefined) out.push({ outcome: 'clicked', at: click });
    if (complained !== undefined && complaint < complained.share)
      out.push({ outcome: 'complained', at: deliveredMs + Math.floor(complaintAt * ms(complained.within)) });
    return out.sort((a, b) => a.at - b.at);
  }

  /** Whether the carrier reports an SMS delivered or unreachable. */
  sms(recipient: string, sentMs: number): SmsOutcome {
    const r = this.draws('sms', recipient, sentMs);
    return r() < this.messages.sms.undelivered ? 'undelivered' : 'delivered';
  }
}
