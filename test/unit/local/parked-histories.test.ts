import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '#infra/local/services/stepfunctions/api/history-store.ts';

let dir = '';
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const arn = (name: string) => `arn:aws:states:us-east-1:000000000000:execution:journey-a:${name}`;
const parkedName = (executionArn: string) =>
  `${createHash('sha256').update(executionArn).digest('hex').slice(0, 32)}.json`;

describe('parked execution histories', () => {
  it('are kept for the executions still waiting and removed for any other', async () => {
    // arrange: two waiting executions' files, one of an execution that ended, one unreadable leftover
    dir = await mkdtemp(join(tmpdir(), 'journeys-parked-'));
    const store = await HistoryStore.open(dir, () => 0);
    for (const name of ['waits-1', 'waits-2', 'ended'])
      await writeFile(join(dir, 'parked', parkedName(arn(name))), '{}');
    await writeFile(join(dir, 'parked', 'leftover.json.tmp'), '');
    // act
    const removed = await store.keepParked([arn('waits-1'), arn('waits-2')]);
    // assert
    expect(removed).toBe(2);
    expect((await readdir(join(dir, 'parked'))).sort()).toEqual(
      [parkedName(arn('waits-1')), parkedName(arn('waits-2'))].sort(),
    );
  });
});

describe('ended execution histories', () => {
  it('read a file a killed runtime cut short as no history, and the others as kept', async () => {
    // arrange: two ended executions' files, one of them torn mid-write
    dir = await mkdtemp(join(tmpdir(), 'journeys-closed-'));
    const whole = JSON.stringify({ executionArn: arn('whole'), events: [] });
    await writeFile(join(dir, `000000000000001-${parkedName(arn('whole'))}`), whole);
    await writeFile(join(dir, `000000000000002-${parkedName(arn('torn'))}`), whole.slice(0, 20));
    const store = await HistoryStore.open(dir, () => 0);
    // act
    const torn = await store.events(arn('torn'));
    const kept = await store.events(arn('whole'));
    // assert
    expect(torn).toBeUndefined();
    expect(kept).toStrictEqual([]);
  });
});
