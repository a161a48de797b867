import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalUnsubscribe, startUnsubscribe } from '#infra/local/services/function-url/unsubscribe.ts';

/**
 * The local unsubscribe endpoint answers a function that failed as a Lambda
 * function URL does: 502 and "Internal Server Error", never the error's text
 * (table names, endpoints, a customer id) to whoever follows a link.
 */

let dir: string;
let endpoint: LocalUnsubscribe;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unsubscribe-errors-'));
  endpoint = await startUnsubscribe(dir);
  endpoint.bind(async () => {
    throw new Error(
      'ResourceNotFoundException: table journeys-profiles at http://127.0.0.1:4567 (ada@example.com)',
    );
  });
});
afterAll(async () => {
  await endpoint.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the local unsubscribe endpoint when its function fails', () => {
  it.each(['GET', 'POST'])('%s: 502 Internal Server Error, nothing of the error', async (method) => {
    // act
    const response = await fetch(`${endpoint.url}?t=abc.def`, {
      method,
      ...(method === 'POST' ? { body: 'List-Unsubscribe=One-Click' } : {}),
    });
    const body = await response.text();
    // assert
    expect(response.status).toBe(502);
    expect(body).toBe('Internal Server Error');
    expect(body).not.toMatch(/journeys-profiles|127\.0\.0\.1|example\.com/);
  });
});
