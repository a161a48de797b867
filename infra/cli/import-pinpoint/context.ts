import type { Channel } from '../../../shared/channels.ts';
import type { JourneyInput } from '../../../shared/journey/schema.ts';
import type { StepIds } from './ids.ts';
import { type ImportLog, pathOf } from './notes.ts';
import type { PinpointActivity } from './schema.ts';
import type { SegmentResolver } from './segments.ts';

type JourneyStepInput = JourneyInput['steps'][string];
type SplitInput = Extract<JourneyStepInput, { type: 'split' }>;
type VariantInput = SplitInput['variants'][number];

/**
 * A step as written in a journey file (defaults may be omitted). A split's
 * variant may lack its weight: a Pinpoint draft without a `Percentage` is
 * written as given, and does not validate until the weight is set.
 */
export type StepInput =
  | Exclude<JourneyStepInput, { type: 'split' }>
  | (Omit<SplitInput, 'variants'> & {
      variants: (Omit<VariantInput, 'weight'> & { weight?: VariantInput['weight'] })[];
    });

/** A journey as the import writes it: its steps as given, whether or not they validate yet. */
export type ImportedJourney = Omit<JourneyInput, 'steps'> & { steps: Record<string, StepInput> };

/** What mapping one activity needs to know about the whole journey. */
export type ActivityContext = {
  log: ImportLog;
  ids: StepIds;
  /** Pinpoint activity id → step id. */
  stepOf: ReadonlyMap<string, string>;
  activities: Readonly<Record<string, PinpointActivity>>;
  /** The Pinpoint activity the journey starts with. */
  startActivity: string;
  /** Segment ids as profile conditions, when the segments were exported too. */
  segments?: SegmentResolver;
  /** The shared exit step every path without a next activity ends in. */
  exitId: string;
  /** The zone timestamps without an offset are read in. */
  zone: string;
  /** The template name used for a Pinpoint template name on a channel. */
  templateName: (pinpointName: string, channel: Channel) => string;
};

/** The step an activity reference leads to: the mapped activity, or the exit when there is none. */
export function target(ctx: ActivityContext, activityId: string | undefined, at: string): string {
  if (activityId === undefined || activityId === '') return ctx.exitId;
  const id = ctx.stepOf.get(activityId);
  if (id !== undefined) return id;
  ctx.log.problem(at, `There is no activity "${activityId}" in Activities.`);
  return ctx.exitId;
}

/** Notes every field of `value` the importer does not read, so nothing is dropped silently. */
export function noteUnread(
  ctx: ActivityContext,
  value: object,
  read: readonly string[],
  at: string,
  why = 'has no equivalent and was not imported',
): void {
  for (const key of Object.keys(value)) {
    if (!read.includes(key)) ctx.log.note(pathOf(at, key), `${key} ${why}.`);
  }
}
