import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { timeoutSecondsOf, VARIABLES, variablesOf } from '#functions/_lib/manifest.ts';
import { FUNCTION_NAMES, MANIFESTS } from '#functions/manifests.ts';
import {
  SEGMENT_BATCH_SIZE,
  SEGMENT_MAX_RECEIVES,
  SEGMENT_VISIBILITY_TIMEOUTS,
  SEGMENT_WORKER_CONCURRENCY,
} from '#infra/constructs/segment-entry.ts';
import { handlerEnvironment } from '#infra/local/runtime/env.ts';
import { functionArn } from '#infra/local/runtime/lambdas.ts';
import { SEGMENT_EVENT_SOURCE } from '#infra/local/runtime/services.ts';

const FUNCTIONS_DIR = join(import.meta.dirname, '..', '..', '..', 'functions');

describe('the functions the local runtime runs', () => {
  it('are every function folder', async () => {
    const folders = (await readdir(FUNCTIONS_DIR, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
      .map((d) => d.name);

    expect([...FUNCTION_NAMES].sort()).toStrictEqual(folders.sort());
  });

  it('consume the segment queue as the stack configures its event source', () => {
    const segmentEntry = MANIFESTS.find((m) => m.name === 'segment-entry');
    expect(SEGMENT_EVENT_SOURCE).toStrictEqual({
      batchSize: SEGMENT_BATCH_SIZE,
      concurrency: SEGMENT_WORKER_CONCURRENCY,
      maxReceiveCount: SEGMENT_MAX_RECEIVES,
      visibilityTimeoutMs:
        SEGMENT_VISIBILITY_TIMEOUTS *
        (segmentEntry === undefined ? 0 : timeoutSecondsOf(segmentEntry)) *
        1000,
    });
  });
});

describe('the local environment', () => {
  const env = handlerEnvironment(
    {
      dynamodb: 'http://127.0.0.1:1',
      eventbridge: 'http://127.0.0.1:2',
      sfn: 'http://127.0.0.1:3',
      ses: 'http://127.0.0.1:4',
      pinpoint: 'http://127.0.0.1:5',
      s3: 'http://127.0.0.1:6',
      sqs: 'http://127.0.0.1:7',
    },
    { baseUrl: 'http://127.0.0.1:8/unsubscribe', signingKey: 'k'.repeat(32) },
  );

  it.each(FUNCTION_NAMES)(
    'gives %s every variable its manifest binds, but those only the stack sets',
    (name) => {
      const manifest = MANIFESTS.find((m) => m.name === name);
      const variables = variablesOf(manifest?.bindings ?? {});
      expect(variables.length).toBeGreaterThan(0);
      for (const variable of variables) {
        if (VARIABLES[variable].setBy === 'aws') expect(env[variable], variable).toBeUndefined();
        else expect(VARIABLES[variable].schema.safeParse(env[variable]).success, variable).toBe(true);
      }
    },
  );

  it('points each task variable at the local function of that task', () => {
    for (const manifest of MANIFESTS) {
      if (manifest.task !== undefined)
        expect(env[manifest.task.arnVariable]).toBe(functionArn(manifest.name));
    }
  });
});
