import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer } from '#infra/local/runtime/listen.ts';
import { httpInvokeIntegration } from '#infra/local/services/stepfunctions/http-invoke.ts';

/**
 * A webhook endpoint that answers with a redirect: the local HTTP Task does
 * not follow it. Followed, the connection's credential (a custom API key
 * header, which fetch keeps across origins) would go to whatever the
 * Location names — another host, the instance metadata address — and that
 * answer would land in the journey context.
 */

const ARN = 'arn:aws:events:us-east-1:000000000000:connection/crm/local';
let endpoint: Server;
let elsewhere: Server;
let status = 302;
const reached: IncomingHttpHeaders[] = [];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

let endpointPort = 0;
let elsewherePort = 0;

beforeAll(async () => {
  elsewhere = createServer((req, res) => {
    reached.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"secret":"metadata"}');
  });
  elsewherePort = await listen(elsewhere);
  endpoint = createServer((_req, res) => {
    res.writeHead(status, { location: `http://127.0.0.1:${elsewherePort}/latest/meta-data/` }).end();
  });
  endpointPort = await listen(endpoint);
});
afterAll(async () => {
  await closeServer(endpoint);
  await closeServer(elsewhere);
});

describe('http:invoke, locally, answered with a redirect', () => {
  it.each([301, 302, 303, 307, 308])(
    'fails a %i with its status and sends nothing where it points',
    async (code) => {
      // arrange
      status = code;
      reached.length = 0;
      const invoke = httpInvokeIntegration([
        {
          arn: ARN,
          baseUrl: 'https://crm.example.com/v1',
          target: `http://127.0.0.1:${endpointPort}/v1`,
          authHeader: { name: 'x-api-key', value: 'the-crm-key' },
        },
      ]);
      // act
      const call = invoke({
        ApiEndpoint: 'https://crm.example.com/v1/orders',
        Method: 'POST',
        Authentication: { ConnectionArn: ARN },
        RequestBody: { orderId: 'o-1' },
      });
      // assert
      await expect(call).rejects.toMatchObject({ name: `States.Http.StatusCode.${code}` });
      expect(reached).toEqual([]);
    },
  );
});
