import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';

/**
 * Journey time for the local runtime: `timeScale` virtual milliseconds pass
 * per real millisecond, from the instant the clock starts. Handlers, Step
 * Functions, the bus and the demo all read this one clock, so a deferral
 * "until 08:00" computed by a handler is reached by a Wait of the runner.
 */
export class ScaledClock {
  private readonly realStart: number;

  constructor(
    readonly timeScale: number,
    /** The virtual time at start (epoch ms); real time by default. */
    private readonly virtualStart: number = Date.now(),
    realNow: () => number = Date.now,
  ) {
    if (!(timeScale > 0)) throw new Error(`timeScale must be a positive number, got ${timeScale}`);
    this.realNow = realNow;
    this.realStart = realNow();
  }

  private readonly realNow: () => number;

  /** Virtual now, epoch milliseconds: start + (real elapsed × timeScale). */
  nowMs(): number {
    return this.virtualStart + (this.realNow() - this.realStart) * this.timeScale;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  /** Real milliseconds a virtual duration takes. */
  realMs(virtualMs: number): number {
    return virtualMs / this.timeScale;
  }
}

const CLOCK_FILE = 'clock.json';
const Saved = z.object({ virtualNow: z.number() });

/**
 * A scaled clock that resumes where the data directory's last run stopped,
 * so that timestamps kept in the data (last sends, cooldowns) never lie in
 * the future of a restarted runtime.
 */
export async function openClock(dataDir: string, timeScale: number): Promise<ScaledClock> {
  const text = await readFile(join(dataDir, CLOCK_FILE), 'utf8').catch(() => undefined);
  const saved = text === undefined ? undefined : Saved.safeParse(parseJson(text)).data;
  return new ScaledClock(timeScale, Math.max(Date.now(), saved?.virtualNow ?? 0));
}

/** Remembers the virtual time of the data directory for the next start. */
export async function saveClock(dataDir: string, clock: ScaledClock): Promise<void> {
  await writeFile(join(dataDir, CLOCK_FILE), `${JSON.stringify({ virtualNow: clock.nowMs() })}\n`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
