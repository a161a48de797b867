import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_ENDPOINT, localEndpoint, ofLocalRuntime } from '#infra/cli/runtime-client.ts';
import { markRunning } from '#infra/local/runtime/running.ts';
import { localStepFunctionsEndpoint } from '#infra/local/services/stepfunctions/api/reader.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'journeys-runtime-endpoint-'));
});
afterEach(async () => rm(dataDir, { recursive: true, force: true }));

const endpoints = { dynamodb: 'http://127.0.0.1:41001', eventbridge: 'http://127.0.0.1:41002' };

describe('where send, clock and dlq replay find the local runtime', () => {
  it('on the ports the runtime running on the data folder took, not the default one', async () => {
    // arrange: `npm start -- --eventbridge-port 41002` (4010 was taken)
    await markRunning(dataDir, endpoints);
    // act / assert
    expect(localEndpoint({ dataDir })).toBe(endpoints.eventbridge);
    expect(localEndpoint({ dataDir, endpoint: 'http://127.0.0.1:5000' })).toBe('http://127.0.0.1:5000');
  });

  it('on the default port when no --data-dir is given and no runtime runs on .journeys/', () => {
    // act / assert (the tests run from the project, where no runtime keeps .journeys/)
    expect(localEndpoint({})).toBe(DEFAULT_LOCAL_ENDPOINT);
  });

  it('nowhere when the --data-dir given has no runtime running on it any more, not on the default port', async () => {
    // arrange: the file of a runtime whose process has ended
    await markRunning(dataDir, endpoints);
    const file = join(dataDir, 'running.json');
    const ended = spawnSync(process.execPath, [
      '-e',
      `const f=${JSON.stringify(file)};const fs=require('fs');const r=JSON.parse(fs.readFileSync(f));r.pid=process.pid;fs.writeFileSync(f,JSON.stringify(r))`,
    ]);
    expect(ended.status).toBe(0);
    // act / assert: the default port's runtime runs on another folder
    expect(() => localEndpoint({ dataDir })).toThrow(`no local runtime runs on ${dataDir}`);
  });
});

describe('what trace, report and send-test read of the local runtime when not told', () => {
  const running = {
    ...endpoints,
    ses: 'http://127.0.0.1:41003',
    pinpoint: 'http://127.0.0.1:41004',
    journeysDir: '/srv/marketing/journeys',
  };

  it('the SES and End User Messaging ports and the journeys folder of the runtime on the data folder', async () => {
    // arrange: `npm start -- --ses-port 0 --journeys-dir /srv/marketing/journeys`
    await markRunning(dataDir, running);
    // act / assert
    expect(ofLocalRuntime('ses', undefined, dataDir, 'http://127.0.0.1:8005')).toBe(running.ses);
    expect(ofLocalRuntime('pinpoint', undefined, dataDir, 'http://127.0.0.1:4011')).toBe(running.pinpoint);
    expect(ofLocalRuntime('journeysDir', undefined, dataDir, 'journeys')).toBe(running.journeysDir);
    expect(ofLocalRuntime('journeysDir', 'mine', dataDir, 'journeys')).toBe('mine');
  });

  it('the defaults when no runtime runs on the folder', () => {
    expect(ofLocalRuntime('ses', undefined, dataDir, 'http://127.0.0.1:8005')).toBe('http://127.0.0.1:8005');
    expect(ofLocalRuntime('journeysDir', undefined, dataDir, 'journeys')).toBe('journeys');
  });

  it("the Step Functions of the runtime on the data folder, else the folder's own executions, never the default port", async () => {
    // arrange: another runtime may answer on 8083; it runs on another folder
    const empty = localStepFunctionsEndpoint({ dataDir });
    await markRunning(dataDir, { ...running, sfn: 'http://127.0.0.1:41005' });
    // act / assert
    expect(empty).toBeUndefined();
    expect(localStepFunctionsEndpoint({ dataDir })).toBe('http://127.0.0.1:41005');
    expect(localStepFunctionsEndpoint({ dataDir, sfnEndpoint: 'http://127.0.0.1:5000' })).toBe(
      'http://127.0.0.1:5000',
    );
  });
});
