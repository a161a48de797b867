import * as z from 'zod';
import { savedJourneyTime } from '#infra/local/runtime/clock.ts';
import { ClockReply, CONTROL_PATHS, ReplayReply } from '#infra/local/runtime/control.ts';
import { DEFAULT_PORTS } from '#infra/local/runtime/options.ts';
import { runningOn } from '#infra/local/runtime/running.ts';

/** The local runtime's bus endpoint, where its control API is served too. */
export const DEFAULT_LOCAL_ENDPOINT = `http://localhost:${DEFAULT_PORTS.eventbridge}`;

/** The local data folder commands read by default, as `npm start` runs from the project. */
const DEFAULT_DATA_DIR = '.journeys';

/** `--data-dir` names a folder no runtime runs on: another folder's runtime is not the one meant. */
class NoRuntimeOnFolderError extends Error {
  constructor(dataDir: string) {
    super(
      `no local runtime runs on ${dataDir}: start it with \`npm start -- --data-dir ${dataDir}\`, or pass --endpoint`,
    );
    this.name = 'NoRuntimeOnFolderError';
  }
}

/**
 * Where the local runtime's bus and control API answer: `--endpoint`, else
 * the runtime running on the data folder (whatever ports it took), else —
 * with no `--data-dir` given — the default port. A `--data-dir` no runtime
 * runs on is an error: whichever runtime answers on the default port runs on
 * another folder.
 */
export function localEndpoint(options: { endpoint?: string; dataDir?: string }): string {
  if (options.endpoint !== undefined) return options.endpoint;
  const running = runningOn(options.dataDir ?? DEFAULT_DATA_DIR)?.eventbridge;
  if (running !== undefined) return running;
  if (options.dataDir !== undefined) throw new NoRuntimeOnFolderError(options.dataDir);
  return DEFAULT_LOCAL_ENDPOINT;
}

/**
 * What a command reads of the local runtime when not told: the option given,
 * else what the runtime running on the data folder took (a port, its journeys
 * folder), else the default `npm start` uses.
 */
export function ofLocalRuntime<Fallback extends string | undefined>(
  key: 'ses' | 'pinpoint' | 'journeysDir',
  given: string | undefined,
  dataDir: string | undefined,
  fallback: Fallback,
): string | Fallback {
  return given ?? runningOn(dataDir ?? DEFAULT_DATA_DIR)?.[key] ?? fallback;
}

const ErrorReply = z.object({ message: z.string() });

/** A request the running local runtime could not serve, or no runtime answering at all. */
class RuntimeUnreachableError extends Error {
  constructor(endpoint: string, cause: unknown) {
    super(
      `no local runtime answers at ${endpoint} (${cause instanceof Error ? cause.message : String(cause)}): start it with \`npm start\`, or pass --endpoint or the --data-dir it runs on`,
    );
    this.name = 'RuntimeUnreachableError';
  }
}

async function call(endpoint: string, path: string, init?: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, endpoint), init);
  } catch (error) {
    throw new RuntimeUnreachableError(endpoint, error);
  }
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(ErrorReply.safeParse(body).data?.message ?? `HTTP ${response.status}`);
  return body;
}

/** Journey time of the running runtime. */
export async function readClock(endpoint: string): Promise<ClockReply> {
  return ClockReply.parse(await call(endpoint, CONTROL_PATHS.clock));
}

/**
 * Journey time on a data folder: its running runtime's clock, else the time it
 * was saved at when its runtime stopped; undefined for a folder never run.
 */
export async function journeyTimeOf(dataDir: string): Promise<Date | undefined> {
  const running = runningOn(dataDir)?.eventbridge;
  const live = running === undefined ? undefined : await readClock(running).catch(() => undefined);
  if (live !== undefined) return new Date(live.now);
  const saved = await savedJourneyTime(dataDir);
  return saved === undefined ? undefined : new Date(saved);
}

/** Lets the runtime's journey time run to `to`; resolves once it is idle there. */
export async function advanceClock(endpoint: string, to: Date): Promise<ClockReply> {
  const body = JSON.stringify({ to: to.toISOString() });
  return ClockReply.parse(
    await call(endpoint, CONTROL_PATHS.clock, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }),
  );
}

/** Replays the runtime's dead-lettered events. */
export async function replayDeadLetters(endpoint: string): Promise<z.infer<typeof ReplayReply>> {
  return ReplayReply.parse(await call(endpoint, CONTROL_PATHS.replayDeadLetters, { method: 'POST' }));
}
