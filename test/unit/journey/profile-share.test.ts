import { describe, expect, it } from 'vitest';
import { liveFields } from '#shared/ingest/live-journey.ts';
import {
  MAX_AWAITED_EVENT_NAMES,
  MAX_COUNTED_EVENT_NAMES,
  profileShareViolations,
} from '#shared/ingest/profile-share.ts';
import { Journey, type JourneyInput } from '#shared/journey/schema.ts';

/** A journey counting `counted` over a window in its audience and waiting for `awaited` in turn. */
function journey(id: string, counted: string[], awaited: string[] = [], status = 'active'): Journey {
  const input: JourneyInput = {
    id,
    name: id,
    status: status as JourneyInput['status'],
    trigger: { type: 'event', event: 'Go' },
    ...(counted.length === 0
      ? {}
      : { audience: { any: counted.map((performed) => ({ performed, atLeast: 1, within: 'P30D' })) } }),
    start: awaited.length === 0 ? 'done' : 'w0',
    steps: {
      ...Object.fromEntries(
        awaited.map((event, i) => [
          `w${i}`,
          {
            type: 'waitForEvent',
            event,
            timeout: 'P1D',
            onEvent: i + 1 < awaited.length ? `w${i + 1}` : 'done',
            onTimeout: 'done',
          },
        ]),
      ),
      done: { type: 'exit' },
    },
  };
  return Journey.parse(input);
}

function live(j: Journey) {
  const arn = `arn:aws:states:eu-west-1:1:stateMachine:journey-${j.id}`;
  return {
    ...liveFields(j),
    version: '1',
    versionArn: `${arn}:1`,
    aliasArn: `${arn}:live`,
    stateMachineArn: arn,
  };
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`);

describe('what live journeys add to every profile, held at deploy', () => {
  it('rejects a journey that would count one event name too many over a window, naming the field', () => {
    // arrange: other live journeys count the most names there may be
    const others = [
      live(journey('a', names('Viewed', 20))),
      live(journey('b', names('Viewed', 30).slice(10))),
    ];
    // act
    const violations = profileShareViolations(journey('new', ['Viewed 3', 'Ordered']), others);
    // assert
    expect(violations).toEqual([
      {
        path: 'audience.any[1].performed',
        code: 'profile.share',
        message: expect.stringMatching(
          new RegExp(
            `"Ordered" would make ${MAX_COUNTED_EVENT_NAMES + 1} distinct events .* at most ${MAX_COUNTED_EVENT_NAMES}`,
          ),
        ),
      },
    ]);
  });

  it('rejects a journey that would wait for one event name too many', () => {
    const others = [live(journey('a', [], names('Step', MAX_AWAITED_EVENT_NAMES)))];
    const violations = profileShareViolations(journey('new', [], ['Step 1', 'Other']), others);
    expect(violations.map((v) => v.path)).toEqual(['steps.w1.event']);
  });

  it('counts a journey once when it is deployed again, and archived journeys not at all', () => {
    const full = journey('a', names('Viewed', MAX_COUNTED_EVENT_NAMES));
    const others = [live(full), live(journey('old', ['Gone'], [], 'archived'))];
    expect(profileShareViolations(journey('a', names('Viewed', MAX_COUNTED_EVENT_NAMES)), others)).toEqual(
      [],
    );
    expect(
      profileShareViolations(journey('b', ['Gone']), [live(journey('old', names('X', 30), [], 'archived'))]),
    ).toEqual([]);
    expect(profileShareViolations(journey('c', ['New'], [], 'archived'), others)).toEqual([]);
  });
});
