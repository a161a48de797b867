import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer } from '#infra/local/runtime/listen.ts';
import { httpInvokeIntegration } from '#infra/local/services/stepfunctions/http-invoke.ts';

/** The local HTTP Task's call ends with its Task: a Task that timed out or stopped leaves no call open. */

const ARN = 'arn:aws:events:us-east-1:000000000000:connection/crm/local';
let server: Server;
let arrived: () => void = () => undefined;
let hungUp: () => void = () => undefined;

beforeAll(async () => {
  // An endpoint that never answers, and notes when the caller hangs up.
  server = createServer((req) => {
    req.on('close', () => hungUp());
    arrived();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => closeServer(server));

describe('http:invoke, locally', () => {
  it('aborts the call when its Task ends and fails it with States.Timeout', async () => {
    // arrange
    const { port } = server.address() as AddressInfo;
    const invoke = httpInvokeIntegration([
      {
        arn: ARN,
        baseUrl: 'https://crm.example.com',
        target: `http://127.0.0.1:${port}`,
        authHeader: { name: 'x-api-key', value: 'k' },
      },
    ]);
    const ended = new AbortController();
    arrived = () => ended.abort();
    const closed = new Promise<void>((resolve) => {
      hungUp = resolve;
    });
    // act
    const call = invoke(
      {
        ApiEndpoint: 'https://crm.example.com/v1/orders',
        Method: 'GET',
        Authentication: { ConnectionArn: ARN },
      },
      { ended: ended.signal },
    );
    // assert
    await expect(call).rejects.toMatchObject({
      name: 'States.Timeout',
      message: expect.stringMatching(/Task ended/),
    });
    await closed;
  });
});
