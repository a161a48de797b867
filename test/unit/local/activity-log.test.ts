import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { ActivityLog, readActivity, readActivityLog } from '#infra/local/runtime/activity.ts';

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const activity = (state: string) => ({
  at: '2026-12-01T10:00:00.000Z',
  execution: 'e1',
  state,
  resource: 'arn:aws:lambda:local:000000000000:function:send-message',
  input: {},
});

it('keeps each task activity it records', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'activity-'));
  dirs.push(dir);
  const log = new ActivityLog(dir, 1024 * 1024);
  log.record(activity('welcome'));
  log.record(activity('reminder'));
  await log.flushed();
  expect((await readActivity(dir)).map((a) => a.state)).toStrictEqual(['welcome', 'reminder']);
});

it('warns once when its file cannot be written, instead of an unhandled rejection', async () => {
  const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  const dir = await mkdtemp(join(tmpdir(), 'activity-'));
  dirs.push(dir);
  const log = new ActivityLog(join(dir, 'gone'), 1024 * 1024);
  log.record(activity('welcome'));
  log.record(activity('reminder'));
  await log.flushed();
  // The rejected append settles after flushed(): give its handler a turn.
  await new Promise((resolve) => setImmediate(resolve));
  expect(warnings).toHaveBeenCalledTimes(1);
  expect(String(warnings.mock.calls[0]?.[0])).toMatch(/activity log could not be written \(ENOENT/);
});

it('keeps the entries ingest answered it skipped beside the tasks, and reads each kind apart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'activity-'));
  dirs.push(dir);
  const log = new ActivityLog(dir, 1024 * 1024);
  const skip = { userId: 'ada', journeyId: 'onboarding', version: '3', reason: 'missing' };
  log.record(activity('welcome'));
  log.recordSkipsFrom(
    { status: 'recorded', skipped: [{ ...skip, detail: { paths: ['trigger.properties.plan'] } }] },
    new Date('2026-12-01T10:00:00Z'),
  );
  // Answers without skips (a rejection, another function's) record nothing.
  log.recordSkipsFrom({ status: 'rejected', problems: [] }, new Date('2026-12-01T10:00:00Z'));
  await log.flushed();
  const { tasks, skips } = await readActivityLog(dir);
  expect(tasks.map((a) => a.state)).toStrictEqual(['welcome']);
  expect(skips).toStrictEqual([
    {
      at: '2026-12-01T10:00:00.000Z',
      entrySkipped: { ...skip, detail: { paths: ['trigger.properties.plan'] } },
    },
  ]);
  expect((await readActivity(dir)).map((a) => a.state)).toStrictEqual(['welcome']);
});

it('keeps the opt-ins ingest answered it left out as older than the opt-out, read apart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'activity-'));
  dirs.push(dir);
  const log = new ActivityLog(dir, 1024 * 1024);
  const refused = {
    userId: 'ana',
    channel: 'email',
    topic: 'news',
    optInAt: '2026-11-24T09:30:00.000Z',
    optedOutAt: '2026-11-24T10:00:00.000Z',
  };
  log.record(activity('welcome'));
  log.recordSkipsFrom(
    { status: 'recorded', skipped: [], refusedOptIns: [refused] },
    new Date('2026-12-01T10:00:00Z'),
  );
  await log.flushed();
  const { tasks, skips, refusedOptIns } = await readActivityLog(dir);
  expect(tasks.map((a) => a.state)).toStrictEqual(['welcome']);
  expect(skips).toStrictEqual([]);
  expect(refusedOptIns).toStrictEqual([{ at: '2026-12-01T10:00:00.000Z', optInRefused: refused }]);
});
