import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import type { LocalBus } from '../services/eventbridge/bus.ts';
import { readDeadLetters, writeDeadLetters } from '../services/eventbridge/dead-letters.ts';
import type { JourneyClock } from './clock.ts';
import { MAX_JSON_REQUEST_BYTES, type RouteHandler, readBody, sendJson } from './http.ts';

/** The paths of the runtime's control API, served beside PutEvents on the bus endpoint. */
export const CONTROL_PREFIX = '/local/';
export const CONTROL_PATHS = {
  clock: '/local/clock',
  replayDeadLetters: '/local/dead-letters/replay',
} as const;

/** What `GET /local/clock` answers. */
export const ClockReply = z.object({
  now: z.string(),
  /** When the next timer (a wait, a retry, a schedule) is due, if any. */
  nextDue: z.string().optional(),
  mode: z.enum(['deterministic', 'interactive']),
});
export type ClockReply = z.infer<typeof ClockReply>;

const AdvanceRequest = z.object({ to: z.iso.datetime({ offset: true }) });

export const ReplayReply = z.object({ replayed: z.number(), failedAgain: z.number() });

type Control = {
  clock: JourneyClock;
  bus: LocalBus;
  deadLetters: string;
};

/**
 * The runtime's control API, for the CLI: read journey time (`journeys send`
 * stamps events with it), move it (`journeys clock advance`), and replay
 * dead-lettered events (`journeys dlq replay`).
 */
export function localControl(control: Control): RouteHandler {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    try {
      if (path === CONTROL_PATHS.clock && req.method === 'GET') return reply(res, clockReply(control));
      if (path === CONTROL_PATHS.clock && req.method === 'POST') return await advance(control, req, res);
      if (path === CONTROL_PATHS.replayDeadLetters && req.method === 'POST')
        return await replay(control, res);
      return false;
    } catch (error) {
      sendJson(res, 400, { message: error instanceof Error ? error.message : String(error) });
      return true;
    }
  };
}

function clockReply({ clock }: Control): ClockReply {
  const next = clock.nextDueMs();
  return {
    now: clock.now().toISOString(),
    ...(next === undefined ? {} : { nextDue: new Date(next).toISOString() }),
    mode: clock.followsWallClock ? 'interactive' : 'deterministic',
  };
}

async function advance(control: Control, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const body: unknown = JSON.parse((await readBody(req, MAX_JSON_REQUEST_BYTES)).toString('utf8') || '{}');
  const request = AdvanceRequest.safeParse(body);
  if (!request.success) {
    sendJson(res, 400, { message: 'give {"to": "<ISO 8601 instant with offset>"}' });
    return true;
  }
  const target = Date.parse(request.data.to);
  if (target < control.clock.nowMs()) {
    sendJson(res, 400, {
      message: `journey time only moves forward: it is ${control.clock.now().toISOString()}`,
    });
    return true;
  }
  await control.clock.advanceTo(target);
  return reply(res, clockReply(control));
}

async function replay(control: Control, res: ServerResponse): Promise<boolean> {
  const { letters } = await readDeadLetters(control.deadLetters);
  // Emptied first: a letter that fails again is written back once, not twice.
  await writeDeadLetters(control.deadLetters, []);
  const failed = await control.bus.replay(letters);
  await writeDeadLetters(control.deadLetters, failed);
  return reply(res, { replayed: letters.length - failed.length, failedAgain: failed.length });
}

function reply(res: ServerResponse, body: unknown): true {
  sendJson(res, 200, body);
  return true;
}
