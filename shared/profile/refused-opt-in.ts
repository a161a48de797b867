import type { Channel } from '../channels.ts';

/**
 * An opt-in the profile did not apply because the channel (or, for a topic,
 * one of the channel's topics) was opted out after it was made: consent
 * changes apply in the order they happened, and an older opt-in never undoes
 * a newer opt-out (README "Consent order"). Reported so that "I re-subscribed,
 * why no email?" has an answer: the opt-in's time and the opt-out's.
 */
export type RefusedOptIn = {
  userId: string;
  channel: Channel;
  /** The topic opted into; absent for the channel. */
  topic?: string;
  /** When the opt-in was made (its event's timestamp), ISO. */
  optInAt: string;
  /** When the opt-out it lost to was made, ISO; absent on a profile kept before those times were. */
  optedOutAt?: string;
};

/** The line a timeline shows: "opt-in to email (topic news) of … not applied: opted out at … (after it)". */
export function describeRefusedOptIn(refused: Omit<RefusedOptIn, 'userId'>): string {
  const what = refused.topic === undefined ? refused.channel : `${refused.channel} (topic ${refused.topic})`;
  const when =
    refused.optedOutAt === undefined ? 'opted out after it' : `opted out at ${refused.optedOutAt}, after it`;
  return `opt-in to ${what} of ${refused.optInAt} not applied: ${when}`;
}
