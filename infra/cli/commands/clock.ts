import { DateTime, Duration } from 'luxon';
import { fail, paint } from '../output.ts';
import { advanceClock, localEndpoint, readClock } from '../runtime-client.ts';

type ClockOptions = { endpoint?: string; dataDir?: string; to?: string };

/** `journeys clock`: the running local runtime's journey time. */
export async function clockCommand(options: ClockOptions): Promise<void> {
  const clock = await readClock(localEndpoint(options));
  const next = clock.nextDue === undefined ? 'no timer pending' : `next timer due ${clock.nextDue}`;
  process.stdout.write(`${clock.now}  ${paint('dim', `(${clock.mode}; ${next})`)}\n`);
}

/**
 * `journeys clock advance <duration>` / `--to <instant>`: lets journey time run
 * forward; every wait, retry and schedule due on the way happens in order.
 */
export async function clockAdvanceCommand(
  duration: string | undefined,
  options: ClockOptions,
): Promise<void> {
  const endpoint = localEndpoint(options);
  const target = await targetOf(endpoint, duration, options.to);
  if (target === undefined) return;
  const clock = await advanceClock(endpoint, target);
  process.stdout.write(`${paint('green', '✔')} journey time is now ${clock.now}\n`);
}

async function targetOf(endpoint: string, duration: string | undefined, to: string | undefined) {
  if ((duration === undefined) === (to === undefined))
    return void fail(
      `give a duration (e.g. \`clock advance P1D\`, \`PT3H\`) or --to <ISO 8601 instant>${duration === undefined ? '' : ', not both'}`,
    );
  if (to !== undefined) {
    const at = DateTime.fromISO(to, { zone: 'utc' });
    if (!at.isValid)
      return void fail(`--to must be an ISO 8601 instant, e.g. 2026-03-05T09:00:00Z; got "${to}"`);
    return at.toJSDate();
  }
  const span = Duration.fromISO(duration ?? '');
  if (!span.isValid || span.toMillis() <= 0)
    return void fail(
      `the duration must be a positive ISO 8601 duration, e.g. P1D or PT3H; got "${duration}"`,
    );
  const now = DateTime.fromISO((await readClock(endpoint)).now, { zone: 'utc' });
  // In UTC: P1D is 24 hours of journey time here.
  return now.plus(span).toJSDate();
}
