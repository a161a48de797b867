import type { Condition } from '../../../shared/conditions/schema.ts';
import { MAX_SENDS_KEPT } from '../../../shared/delivery/policy.ts';
import type { EntryLimit } from '../../../shared/journey/entry/limits.ts';
import { MAX_ENTRIES_PER_WINDOW } from '../../../shared/journey/rules.ts';
import type { JourneyInput, Reentry, Trigger } from '../../../shared/journey/schema.ts';
import { LOCAL_TIME } from '../../../shared/time.ts';
import { combine, eventNameOf, eventPropertyConditions, segmentMembership } from './conditions.ts';
import { durationProblem, roundedUpDuration } from './durations.ts';
import { type ImportLog, pathOf } from './notes.ts';
import type { PinpointJourney } from './schema.ts';
import type { SegmentResolver } from './segments.ts';
import { mapOpenHours, noteClosedDays } from './sending-schedule.ts';
import {
  isPositiveDuration,
  isZeroDuration,
  rateFromDuration,
  rateIsExact,
  toTimestamp,
  zoneFromPinpoint,
} from './time.ts';

type Settings = NonNullable<JourneyInput['settings']>;
type MessageCaps = NonNullable<Settings['caps']>;

const DEFAULT_SCHEDULE = 'rate(1 day)';

/** StartCondition → trigger: an event trigger from the event filter, or a segment trigger on a schedule. */
export function mapTrigger(
  source: PinpointJourney,
  log: ImportLog,
  segments?: SegmentResolver,
): Trigger | undefined {
  const start = source.StartCondition;
  const at = 'StartCondition';
  if (start?.Description !== undefined)
    log.note(pathOf(at, 'Description'), 'The description of the start condition was not imported.');
  const byEvent = start?.EventStartCondition;
  if (byEvent !== undefined) {
    const dimsAt = pathOf(at, 'EventStartCondition', 'EventFilter', 'Dimensions');
    const dims = byEvent.EventFilter?.Dimensions;
    const types = dims?.EventType;
    // A trigger names one event: entering on any of several is as many journeys, not the first alone.
    if (types !== undefined && types.DimensionType !== 'EXCLUSIVE' && types.Values.length > 1) {
      log.problem(
        pathOf(dimsAt, 'EventType', 'Values'),
        `The journey starts on any of ${types.Values.map((v) => `"${v}"`).join(', ')}; a journey here starts on one event. Import it once per event: copy the export, keep one name in Values in each copy, and import each with its own --id.`,
      );
      return undefined;
    }
    const event = eventNameOf(dims, dimsAt, log);
    if (event === undefined) {
      log.problem(
        pathOf(dimsAt, 'EventType'),
        'An event-started journey needs an event type (INCLUSIVE, one name) to start from.',
      );
      return undefined;
    }
    if (byEvent.EventFilter?.FilterType === 'SYSTEM')
      log.note(
        pathOf(at, 'EventStartCondition', 'EventFilter', 'FilterType'),
        "SYSTEM events (Pinpoint's own) do not exist here; the trigger listens for a customer event of that name.",
      );
    const where = combine(eventPropertyConditions(dims, dimsAt, log));
    return { type: 'event', event, ...(where === undefined ? {} : { where }) };
  }
  const bySegment = start?.SegmentStartCondition;
  if (bySegment !== undefined)
    return {
      type: 'segment',
      schedule: segmentSchedule(source, log),
      segment:
        segments?.(bySegment.SegmentId, pathOf(at, 'SegmentStartCondition', 'SegmentId')) ??
        segmentCondition(bySegment.SegmentId, log),
    };
  log.problem(
    at,
    'A Pinpoint journey starts from EventStartCondition or SegmentStartCondition; neither is here.',
  );
  return undefined;
}

/**
 * EventStartCondition.SegmentId → `audience`: only members of the segment enter,
 * as in Pinpoint. Without it everyone who sends the event would enter.
 */
export function mapAudience(
  source: PinpointJourney,
  log: ImportLog,
  segments?: SegmentResolver,
): Condition | undefined {
  const segmentId = source.StartCondition?.EventStartCondition?.SegmentId;
  if (segmentId === undefined || segmentId === '') return undefined;
  const at = pathOf('StartCondition', 'EventStartCondition', 'SegmentId');
  const resolved = segments?.(segmentId, at);
  if (resolved !== undefined) return resolved;
  log.note(
    at,
    `Only members of segment ${segmentId} could enter: the audience is profile.traits.pinpointSegments contains "${segmentId}", which no customer matches until you re-express the segment as profile conditions in audience (or tag the members).`,
  );
  return segmentMembership(segmentId);
}

function segmentCondition(segmentId: string, log: ImportLog): Condition {
  log.note(
    pathOf('StartCondition', 'SegmentStartCondition', 'SegmentId'),
    `Pinpoint segments do not exist here: segment ${segmentId} became profile.traits.pinpointSegments contains "${segmentId}". Re-express the segment as profile conditions in trigger.segment.`,
  );
  return segmentMembership(segmentId);
}

function segmentSchedule(source: PinpointJourney, log: ImportLog): string {
  const refresh = source.RefreshFrequency;
  const rate =
    refresh === undefined || durationProblem(refresh) !== undefined ? undefined : rateFromDuration(refresh);
  if (refresh !== undefined && rate !== undefined) {
    // A schedule runs on whole minutes, once a minute at most.
    if (!rateIsExact(refresh))
      log.note(
        pathOf('RefreshFrequency'),
        `A segment is read on whole minutes, once a minute at most: "${refresh}" became ${rate}.`,
      );
    return rate;
  }
  log.note(
    refresh === undefined ? 'RefreshFrequency' : pathOf('RefreshFrequency'),
    refresh === undefined
      ? `Pinpoint read the segment once, at the start; here it is read on a schedule: ${DEFAULT_SCHEDULE}.`
      : `${durationProblem(refresh) ?? `"${refresh}" is not a positive duration.`} The segment is read ${DEFAULT_SCHEDULE}.`,
  );
  return DEFAULT_SCHEDULE;
}

/** Schedule, QuietTime, Limits.DailyCap and the other journey-wide fields → settings. */
export function mapSettings(source: PinpointJourney, log: ImportLog): { settings: Settings; zone: string } {
  const schedule = source.Schedule ?? {};
  const mapped = zoneFromPinpoint(schedule.Timezone ?? 'UTC');
  if (mapped.note !== undefined) log.note(pathOf('Schedule', 'Timezone'), mapped.note);
  const zone = mapped.zone;
  const settings: Settings = { defaultTimezone: zone };
  for (const [field, key] of [
    ['StartTime', 'startAt'],
    ['EndTime', 'endAt'],
  ] as const) {
    const text = schedule[field];
    if (text === undefined) continue;
    const at = toTimestamp(text, zone);
    if (at === undefined) log.problem(pathOf('Schedule', field), `"${text}" is not an ISO 8601 timestamp.`);
    else settings[key] = at;
  }
  for (const key of Object.keys(schedule).filter((k) => !['StartTime', 'EndTime', 'Timezone'].includes(k)))
    log.note(pathOf('Schedule', key), `${key} has no equivalent and was not imported.`);
  const quiet = source.QuietTime;
  if (quiet?.Start !== undefined && quiet.End !== undefined) {
    if (LOCAL_TIME.test(quiet.Start) && LOCAL_TIME.test(quiet.End) && quiet.Start === quiet.End) {
      // Pinpoint held a message back from Start to End, both included: the one minute Start.
      log.note(
        'QuietTime',
        `Quiet time ${quiet.Start}–${quiet.End} starts and ends at the same minute: Pinpoint held back only messages due in that minute (quiet time runs from Start to End), so no quiet hours are set. Set settings.quietHours if you meant a quiet night.`,
      );
    } else if (LOCAL_TIME.test(quiet.Start) && LOCAL_TIME.test(quiet.End)) {
      settings.quietHours = { start: quiet.Start, end: quiet.End };
      log.note(
        'QuietTime',
        `Pinpoint ignored quiet time for endpoints without a time zone; here it also holds for customers without a time zone, in ${zone}.`,
      );
    } else log.problem('QuietTime', `Quiet time ${quiet.Start}–${quiet.End} is not two HH:mm times.`);
  } else if (quiet !== undefined) {
    log.note('QuietTime', 'Quiet time needs both Start and End; it was not imported.');
  }
  mapOpenHours(source, settings, log);
  noteClosedDays(source, log);
  // WaitForQuietTime not set is false in Pinpoint: a message due in quiet time was not sent.
  if (source.WaitForQuietTime !== true && settings.quietHours !== undefined)
    log.note(
      'WaitForQuietTime',
      'Pinpoint did not send messages due in quiet time (WaitForQuietTime was not true); here they are deferred to its end.',
    );
  if (source.LocalTime === true && (schedule.StartTime !== undefined || schedule.EndTime !== undefined))
    log.note(
      'LocalTime',
      `Pinpoint started and ended the journey at these times in each participant's zone; here startAt and endAt are one instant each, read in ${zone}.`,
    );
  const caps = messageCaps(source.Limits ?? {}, log);
  if (caps.length > 0) {
    settings.caps = caps;
    log.note(
      'Limits',
      "A cap here counts the customer's messages from every journey, where Pinpoint's journey caps counted this journey's only; and a message over a cap waits until the cap allows it. Raise settings.caps if other journeys also message these customers.",
    );
  }
  return { settings, zone };
}

/** Limits.DailyCap, TotalCap and TimeframeCap (at most Cap messages in Days days) → settings.caps. */
function messageCaps(limits: NonNullable<PinpointJourney['Limits']>, log: ImportLog): MessageCaps {
  const caps: MessageCaps = [];
  const cap = (field: string, max: number, within: string) =>
    caps.push({ max: countableCap(field, max, log), within });
  const daily = limits.DailyCap;
  if (daily !== undefined && daily > 0) cap('DailyCap', daily, 'P1D');
  const total = limits.TotalCap;
  if (total !== undefined && total > 0) {
    cap('TotalCap', total, LIFETIME_WINDOW);
    log.note(
      pathOf('Limits', 'TotalCap'),
      `At most ${total} messages per customer over the journey became a cap of ${Math.min(total, MAX_SENDS_KEPT)} per ${LIFETIME_WINDOW} (a rolling window, not the journey's whole life).`,
    );
  }
  const frame = limits.TimeframeCap;
  if (frame === undefined) return caps;
  if (frame.Cap !== undefined && frame.Cap > 0 && frame.Days !== undefined && frame.Days > 0)
    cap('TimeframeCap', frame.Cap, `P${frame.Days}D`);
  else if (frame.Cap !== 0)
    log.note(
      pathOf('Limits', 'TimeframeCap'),
      'A timeframe cap needs Cap and Days above 0; it was not imported.',
    );
  return caps;
}

/**
 * A cap counts at most MAX_SENDS_KEPT messages (the sends a profile keeps): a higher Pinpoint limit
 * becomes that tighter cap, so customers get fewer messages than Pinpoint allowed, never more.
 */
function countableCap(field: string, max: number, log: ImportLog): number {
  if (max <= MAX_SENDS_KEPT) return max;
  log.note(
    pathOf('Limits', field),
    `A cap counts at most ${MAX_SENDS_KEPT} messages (the sends kept per customer): ${max} became ${MAX_SENDS_KEPT}.`,
  );
  return MAX_SENDS_KEPT;
}

/** Limits.EndpointReentryCap / EndpointReentryInterval → reentry; the other limits get notes. */
export function mapReentry(source: PinpointJourney, log: ImportLog): Reentry {
  const limits = source.Limits ?? {};
  const at = (key: string) => pathOf('Limits', key);
  if (limits.MessagesPerSecond !== undefined)
    log.note(
      at('MessagesPerSecond'),
      'The sending rate is the SES and End User Messaging account quota, not a journey setting.',
    );
  for (const key of Object.keys(limits).filter(
    (k) =>
      ![
        'DailyCap',
        'EndpointReentryCap',
        'EndpointReentryInterval',
        'MessagesPerSecond',
        'TotalCap',
        'TimeframeCap',
      ].includes(k),
  ))
    log.note(at(key), `${key} has no equivalent and was not imported.`);
  const cap = limits.EndpointReentryCap;
  const interval = limits.EndpointReentryInterval;
  if (cap === 1) return { mode: 'once' };
  if (cap === undefined && interval === undefined) return { mode: 'once' };
  if (cap !== undefined && cap > MAX_ENTRIES_PER_WINDOW)
    log.note(
      at('EndpointReentryCap'),
      `At most ${cap} entries per customer has no equivalent (an entry limit counts ${MAX_ENTRIES_PER_WINDOW} at most); customers may re-enter without a count limit.`,
    );
  // An interval of zero (PT0S) is no wait between entries: re-entry at once.
  if (interval === undefined || isZeroDuration(interval)) return { mode: 'always' };
  return cooldownOf(interval, at('EndpointReentryInterval'), log);
}

/**
 * The re-entry cooldown for Pinpoint's interval: as written when the journey
 * takes it, rounded up when its fraction has no exact whole unit (fewer
 * entries than Pinpoint allowed, never more). An interval that is no positive
 * duration is refused: re-entry at once would send more than Pinpoint did,
 * and no cooldown can be guessed.
 */
function cooldownOf(interval: string, at: string, log: ImportLog): Reentry {
  // Not a type guard here: its false branch would narrow `interval` to nothing.
  if (isPositiveDuration(interval as string | undefined)) return { mode: 'after', cooldown: interval };
  const rounded = interval.startsWith('-') ? undefined : roundedUpDuration(interval);
  if (rounded !== undefined && isPositiveDuration(rounded)) {
    log.note(at, `${durationProblem(interval) ?? ''} The cooldown is rounded up to ${rounded}.`.trim());
    return { mode: 'after', cooldown: rounded };
  }
  log.problem(
    at,
    `${durationProblem(interval) ?? `"${interval}" is negative.`} Give the time a customer waits before entering again as a positive ISO 8601 duration (P7D), or PT0S for at once.`,
  );
  return { mode: 'once' };
}

const STATUS = {
  DRAFT: 'draft',
  ACTIVE: 'active',
  PAUSED: 'paused',
  COMPLETED: 'archived',
  CANCELLED: 'archived',
  CLOSED: 'archived',
} as const;

/** State → status: finished journeys (COMPLETED, CANCELLED, CLOSED) become archived. */
export function mapStatus(source: PinpointJourney, log: ImportLog): JourneyInput['status'] {
  if (source.State === undefined) return 'draft';
  const status = STATUS[source.State];
  if (status === 'archived')
    log.note('State', `${source.State} became archived: deploy it as draft or active to run it again.`);
  if (source.State === 'ACTIVE')
    log.note(
      'State',
      'The journey is running in Pinpoint: stop it in Pinpoint before this one is deployed active, or customers get its messages from both; customers who already went through it in Pinpoint can enter again here, as their Pinpoint history is not carried over.',
    );
  return status;
}

/** The longest window an entry limit counts over: Pinpoint counted entries over the journey's whole life. */
const LIFETIME_WINDOW = 'P366D';

/** Limits.EndpointReentryCap above 1 → `trigger.limit`: that many entries per customer in 366 days (noted). */
export function mapEntryLimit(source: PinpointJourney, log: ImportLog): EntryLimit | undefined {
  const cap = source.Limits?.EndpointReentryCap;
  if (cap === undefined || cap <= 1 || cap > MAX_ENTRIES_PER_WINDOW) return undefined;
  log.note(
    pathOf('Limits', 'EndpointReentryCap'),
    `At most ${cap} entries per customer became trigger.limit: ${cap} per ${LIFETIME_WINDOW} (counted over a rolling window, not the journey's whole life).`,
  );
  return { max: cap, per: LIFETIME_WINDOW };
}
