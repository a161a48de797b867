import type { JourneyInput } from '../../../shared/journey/schema.ts';
import { LOCAL_TIME } from '../../../shared/time.ts';
import { type ImportLog, pathOf } from './notes.ts';
import type { PinpointJourney } from './schema.ts';

/**
 * Pinpoint's sending schedule (`SendingSchedule`, `OpenHours`, `ClosedDays`)
 * as far as the journey language says it. Open hours are the complement of
 * quiet hours: one window every day, the same for every channel the journey
 * sends on, becomes `settings.quietHours` (from the window's end to its
 * start); days without a window, several windows a day, and windows that
 * differ by day or channel are named in notes. Closed days (dates) have no
 * equivalent: each gets a note.
 */

type Settings = NonNullable<JourneyInput['settings']>;
type Rule = { StartTime?: string | undefined; EndTime?: string | undefined };

const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
/** The channels a journey here sends on; VOICE and CUSTOM have no message steps. */
const CHANNELS = ['EMAIL', 'SMS', 'PUSH'] as const;

/** `HH:mm` of a Pinpoint open-hours time (`09:00`, or `09:00:00`); undefined when it is not one. */
function localTime(text: string | undefined): string | undefined {
  const hhmm = text?.slice(0, 5);
  return hhmm !== undefined &&
    LOCAL_TIME.test(hhmm) &&
    (text?.length === 5 || /^:00$/.test(text?.slice(5) ?? ''))
    ? hhmm
    : undefined;
}

/** A channel's open hours as text per day (`09:00–17:00`, several joined by `, `), days without rules left out. */
function dayWindows(byDay: Readonly<Record<string, readonly Rule[]>>): Map<string, string> {
  const days = new Map<string, string>();
  for (const day of DAYS) {
    const rules = Object.hasOwn(byDay, day) ? (byDay[day] ?? []) : [];
    if (rules.length > 0)
      days.set(day, rules.map((r) => `${r.StartTime ?? '?'}–${r.EndTime ?? '?'}`).join(', '));
  }
  return days;
}

/** OpenHours → settings.quietHours when it can say them; a note for each part it cannot. */
export function mapOpenHours(source: PinpointJourney, settings: Settings, log: ImportLog): void {
  const open = source.OpenHours;
  if (open === undefined) return;
  // Pinpoint holds messages to open hours only with SendingSchedule on.
  if (source.SendingSchedule !== true) {
    log.note(
      'OpenHours',
      'Open hours were not in force (SendingSchedule is not true); they were not imported.',
    );
    return;
  }
  for (const key of Object.keys(open).filter((k) => !(CHANNELS as readonly string[]).includes(k)))
    log.note(
      pathOf('OpenHours', key),
      `${key} messages do not exist here; their open hours were not imported.`,
    );
  const channels = CHANNELS.flatMap((channel) => {
    const byDay = open[channel];
    return byDay === undefined ? [] : [{ channel, days: dayWindows(byDay), byDay }];
  });
  const [first] = channels;
  if (first === undefined) return;
  const differ = channels.find((c) => JSON.stringify([...c.days]) !== JSON.stringify([...first.days]));
  if (differ !== undefined) {
    log.note(
      pathOf('OpenHours', differ.channel),
      `Open hours differ by channel (${first.channel} and ${differ.channel}); quiet hours here hold for every channel, so none were set. Add a wait step with a window before each message step of a channel.`,
    );
    return;
  }
  const windows = new Set(first.days.values());
  const [only] = windows;
  const at = pathOf('OpenHours', first.channel);
  const rules = Object.values(first.byDay)[0] ?? [];
  const [rule] = rules;
  const start = localTime(rule?.StartTime);
  const end = localTime(rule?.EndTime);
  if (
    windows.size !== 1 ||
    only === undefined ||
    rules.length !== 1 ||
    start === undefined ||
    end === undefined
  ) {
    log.note(
      at,
      `Open hours ${[...first.days].map(([d, w]) => `${d} ${w}`).join('; ')} are not one HH:mm window every day; quiet hours were not set from them. Use a wait step with a window (weekdays) before each message step.`,
    );
    return;
  }
  // Open from StartTime until EndTime: the same minute twice opens nothing, which quiet hours cannot say.
  if (start === end) {
    log.note(
      at,
      `Open hours ${start}–${end} open and close at the same minute: Pinpoint sent no ${first.channel} message in them, and quiet hours cannot hold all day, so none were set from them: here its messages go out at any hour. Pause the journey, or set settings.quietHours to the hours it may not send.`,
    );
    return;
  }
  const quietHours = { start: end, end: start };
  const quiet = source.QuietTime;
  if (
    settings.quietHours !== undefined &&
    (quiet?.Start !== quietHours.start || quiet.End !== quietHours.end)
  ) {
    log.note(
      at,
      `Open hours ${start}–${end} and QuietTime ${quiet?.Start}–${quiet?.End} disagree; quiet hours keep QuietTime. Pinpoint sent only inside both.`,
    );
    return;
  }
  settings.quietHours = quietHours;
  const closed = DAYS.filter((d) => !first.days.has(d));
  log.note(
    at,
    `Open hours ${start}–${end} became quiet hours ${end}–${start}${channels.length < CHANNELS.length ? `, for every channel (Pinpoint set them for ${channels.map((c) => c.channel).join(', ')})` : ''}: a message due outside them waits for the next opening.${
      closed.length === 0
        ? ''
        : ` ${closed.join(', ')} had no open hours (nothing sent): quiet hours hold every day, so add a wait step with a window (weekdays) before message steps to keep those days free.`
    }`,
  );
}

/** ClosedDays: a note per closed period (dates have no equivalent). */
export function noteClosedDays(source: PinpointJourney, log: ImportLog): void {
  for (const [channel, rules] of Object.entries(source.ClosedDays ?? {})) {
    for (const [i, rule] of (rules ?? []).entries()) {
      const name = rule.Name === undefined ? '' : ` "${rule.Name}"`;
      log.note(
        pathOf('ClosedDays', channel, i),
        `Closed days${name} (${rule.StartDateTime ?? '?'} to ${rule.EndDateTime ?? '?'}, ${channel}) have no equivalent: messages are sent on those dates. Pause the journey then (status paused), or add a branch on the date before message steps.`,
      );
    }
  }
}
