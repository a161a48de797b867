import type { RegistryRepository } from '#functions/_lib/registry.ts';
import { liveFields } from '#shared/ingest/live-journey.ts';
import { Journey } from '#shared/journey/schema.ts';

/**
 * The ten live journeys of the profile-growth bench: triggered by the first
 * ten event names; four wait for an event (some resume, some time out), three
 * have a goal that stops them, the rest run and end on their own.
 */

export type BenchJourney = { journey: Journey; waitsFor?: string; runsSeconds: number };

function journey(k: number): BenchJourney {
  const id = `bench-${k}`;
  const base = {
    id,
    name: `Bench ${k}`,
    trigger: { type: 'event', event: `Journey Event ${k}` },
    reentry: k % 2 === 0 ? { mode: 'always' } : { mode: 'after', cooldown: 'PT6H' },
    ...(k >= 4 && k < 7 ? { goal: { event: 'Action 10', within: 'PT2H', exit: true } } : {}),
    ...(k === 7 ? { audience: { performed: 'Action 20', atLeast: 3, within: 'P30D' } } : {}),
  };
  if (k < 4) {
    return {
      journey: Journey.parse({
        ...base,
        start: 'wait',
        steps: {
          wait: {
            type: 'waitForEvent',
            event: `Action 1${k + 1}`,
            timeout: 'PT30M',
            onEvent: 'done',
            onTimeout: 'done',
          },
          done: { type: 'exit' },
        },
      }),
      waitsFor: `Action 1${k + 1}`,
      runsSeconds: 1800,
    };
  }
  return {
    journey: Journey.parse({
      ...base,
      start: 'pause',
      steps: { pause: { type: 'wait', for: 'PT1H', next: 'done' }, done: { type: 'exit' } },
    }),
    runsSeconds: 3600,
  };
}

export const BENCH_JOURNEYS: BenchJourney[] = Array.from({ length: 10 }, (_, k) => journey(k));

/** Event names some bench journey triggers on, stops on or waits for: every other event triggers nothing. */
export const REFERENCED_EVENTS: ReadonlySet<string> = new Set(
  BENCH_JOURNEYS.flatMap(({ journey: j, waitsFor }) => [
    ...(j.trigger.type === 'event' ? [j.trigger.event] : []),
    ...(j.goal === undefined ? [] : [j.goal.event]),
    ...(waitsFor === undefined ? [] : [waitsFor]),
  ]),
);

export const stateMachineArn = (id: string) =>
  `arn:aws:states:eu-west-1:123456789012:stateMachine:journey-${id}`;

export async function deployBenchJourneys(registry: RegistryRepository): Promise<void> {
  for (const { journey: j } of BENCH_JOURNEYS) {
    const arn = stateMachineArn(j.id);
    await registry.putDeployed(
      {
        ...liveFields(j),
        version: '1',
        versionArn: `${arn}:1`,
        aliasArn: `${arn}:live`,
        stateMachineArn: arn,
        sourceKey: `journeys/${j.id}.json`,
        deployedAt: '2025-12-01T00:00:00Z',
      },
      undefined,
    );
  }
}
