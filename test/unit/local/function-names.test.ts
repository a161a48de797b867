import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '#functions/manifests.ts';
import { SEGMENT_BATCH_SIZE, SEGMENT_WORKER_CONCURRENCY } from '#infra/constructs/segment-entry.ts';
import { SEGMENT_EVENT_SOURCE } from '#infra/local/services.ts';

const FUNCTIONS_DIR = join(import.meta.dirname, '..', '..', '..', 'functions');

describe('the functions the local runtime runs', () => {
  it('are every function folder', async () => {
    const folders = (await readdir(FUNCTIONS_DIR, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
      .map((d) => d.name);

    expect([...FUNCTION_NAMES].sort()).toStrictEqual(folders.sort());
  });

  it('consume the segment queue as the stack configures its event source', () => {
    expect(SEGMENT_EVENT_SOURCE).toMatchObject({
      batchSize: SEGMENT_BATCH_SIZE,
      concurrency: SEGMENT_WORKER_CONCURRENCY,
    });
  });
});
