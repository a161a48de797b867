import { describe, expect, it } from 'vitest';
import { describeSkip, describeSkipReason, type EntrySkip } from '#shared/ingest/entry-skip.ts';
import { describeRefusedOptIn } from '#shared/profile/refused-opt-in.ts';

const skip = (reason: EntrySkip['reason'], detail?: EntrySkip['detail']) => ({
  journeyId: 'onboarding',
  reason,
  ...(detail === undefined ? {} : { detail }),
});

describe('an entry skipped, in plain words', () => {
  it.each([
    [skip('missing', { paths: ['trigger.properties.plan'] }), 'trigger.properties.plan is missing'],
    [
      skip('missing', { paths: ['trigger.properties.plan', 'trigger.timestamp'] }),
      'trigger.properties.plan, trigger.timestamp are missing',
    ],
    [skip('missing'), 'a value the journey reads from the trigger is missing'],
    [
      skip('context', { paths: ['trigger.properties.id'], problem: 'is a number, not the declared string' }),
      'trigger.properties.id is a number, not the declared string',
    ],
    [skip('tooOld', { maxAge: 'P1D' }), "the event is older than the trigger's maxAge P1D"],
    [
      skip('limit', { max: 2, per: 'P7D' }),
      'the customer already entered 2 times within P7D (trigger.limit)',
    ],
    [skip('limit', { max: 1, per: 'P1D' }), 'the customer already entered once within P1D (trigger.limit)'],
    [
      skip('tooLarge', { maxBytes: 65536 }),
      'the event is too large to start the journey with (over 65536 bytes)',
    ],
    [skip('where'), "the event does not match the trigger's where"],
    [skip('audience'), "the customer is not in the journey's audience"],
    [skip('reentry'), 'the customer already entered it (reentry: once)'],
    [skip('cooldown', { cooldown: 'P90D' }), 'the customer entered it less than P90D ago (reentry cooldown)'],
    [skip('paused'), 'the journey is paused (no new entries)'],
    [skip('archived'), 'the journey is archived (no new entries)'],
    [skip('draft'), 'the journey is a draft (not live)'],
    [
      skip('notStarted', { startAt: '2026-12-01T00:00:00Z' }),
      'the journey takes entries from 2026-12-01T00:00:00Z (settings.startAt)',
    ],
    [
      skip('ended', { endAt: '2026-11-20T00:00:00Z' }),
      'the journey took entries until 2026-11-20T00:00:00Z (settings.endAt)',
    ],
  ])('%o reads "%s"', (given, words) => {
    expect(describeSkipReason(given)).toBe(words);
  });

  it('names the journey on the timeline line', () => {
    expect(describeSkip(skip('missing', { paths: ['trigger.properties.plan'] }))).toBe(
      'entry into onboarding skipped: trigger.properties.plan is missing',
    );
  });
});

describe('an opt-in left out as older than the opt-out, in plain words', () => {
  it('names the channel, the topic and both times', () => {
    expect(
      describeRefusedOptIn({
        channel: 'email',
        topic: 'news',
        optInAt: '2026-11-24T09:30:00.000Z',
        optedOutAt: '2026-11-24T10:00:00.000Z',
      }),
    ).toBe(
      'opt-in to email (topic news) of 2026-11-24T09:30:00.000Z not applied: opted out at 2026-11-24T10:00:00.000Z, after it',
    );
    expect(describeRefusedOptIn({ channel: 'sms', optInAt: '2026-11-24T09:30:00.000Z' })).toBe(
      'opt-in to sms of 2026-11-24T09:30:00.000Z not applied: opted out after it',
    );
  });
});
