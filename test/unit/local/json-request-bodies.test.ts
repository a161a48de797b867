import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsJsonServer, MAX_JSON_REQUEST_BYTES } from '#infra/local/runtime/http.ts';

/**
 * The local AWS JSON endpoints (EventBridge, Step Functions, SQS) answer a
 * request the client got wrong as AWS does, with a 4xx the SDK does not
 * retry: a body that is not JSON is a `SerializationException`, never an
 * internal failure (a 5xx the SDK would send three more times), and a body
 * past the size any operation takes is refused without being kept in memory.
 */

let url: string;
const calls: unknown[] = [];
const server = createAwsJsonServer('Test_20260101', '1.1', {
  Echo: (input) => {
    calls.push(input);
    return { ok: true };
  },
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function post(body: string | Uint8Array): Promise<{ status: number; type: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Test_20260101.Echo' },
    body,
  });
  const json = (await res.json()) as Record<string, unknown>;
  return { status: res.status, type: json.__type };
}

describe('local AWS JSON endpoints: request bodies', () => {
  it.each(['{"Entries": [', '{bad}', 'not json', '\u0000'])(
    'answers %j with a 400 SerializationException',
    async (body) => {
      calls.length = 0;
      expect(await post(body)).toStrictEqual({ status: 400, type: 'SerializationException' });
      expect(calls).toStrictEqual([]);
    },
  );

  it('refuses a body past the limit with a 413, without running the operation', async () => {
    calls.length = 0;
    const body = new Uint8Array(MAX_JSON_REQUEST_BYTES + 1).fill(0x20);
    expect(await post(body)).toStrictEqual({ status: 413, type: 'RequestEntityTooLargeException' });
    expect(calls).toStrictEqual([]);
  });

  it('takes a body at the limit', async () => {
    calls.length = 0;
    const body = `{"a":"${'x'.repeat(MAX_JSON_REQUEST_BYTES - 8)}"}`;
    expect(await post(body)).toStrictEqual({ status: 200, type: undefined });
    expect(calls).toHaveLength(1);
  });
});
