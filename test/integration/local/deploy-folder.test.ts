import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployFolder } from '#infra/local/runtime/deploys.ts';

let journeysDir: string;
beforeEach(async () => {
  journeysDir = await mkdtemp(join(tmpdir(), 'journeys-deploy-folder-'));
});
afterEach(async () => rm(journeysDir, { recursive: true, force: true }));

/** A bus that records the keys announced and runs `onPut` for each, as the deploy handler would act. */
function recordingBus(onPut: (key: string) => Promise<void>) {
  const announced: string[] = [];
  return {
    announced,
    bus: {
      put: async (entries: readonly { Detail?: string }[]) => {
        for (const entry of entries) {
          const key: string = JSON.parse(entry.Detail ?? '{}').object.key;
          announced.push(key);
          await onPut(key);
        }
        return { FailedEntryCount: 0, Entries: [] };
      },
      idle: async () => {},
    },
  };
}

describe('deploying the journeys folder at start', () => {
  it('skips a file its deploy removed: the rejection report of a journey fixed while the runtime was stopped', async () => {
    // arrange: a journey rejected in an earlier run, then fixed
    await writeFile(join(journeysDir, 'welcome.json'), '{"id":"welcome"}');
    await writeFile(join(journeysDir, 'welcome.rejected.json'), '{"violations":[]}');
    const { bus, announced } = recordingBus(async (key) => {
      // The deploy of the fixed journey deletes its report, as deploy-journey does.
      if (key === 'journeys/welcome.json') await rm(join(journeysDir, 'welcome.rejected.json'));
    });
    // act
    await deployFolder(bus, { journeysDir });
    // assert
    expect(announced).toEqual(['journeys/welcome.json']);
  });
});
