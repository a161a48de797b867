import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JourneyClock, runnerTime } from '#infra/local/runtime/clock.ts';
import { type CallLimits, httpInvokeIntegration } from '#infra/local/services/stepfunctions/http-invoke.ts';
import { LocalStateMachine } from '#infra/local/services/stepfunctions/runner/runner.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { HTTP_INVOKE_RESOURCE } from '#shared/journey/compile/webhook.ts';
import { Journey } from '#shared/journey/schema.ts';
import { SendMessageInput } from '#shared/tasks/send-message.ts';
import { LOCAL_BINDINGS, setContext } from './harness.ts';

/**
 * The webhook step compiled and run offline against a loopback HTTP server:
 * the call carries the connection's credential, its response fields land in
 * the context and drive a later branch, 5xx is retried then routed by the
 * failure policy, and no secret reaches the execution.
 */

type Reply = { status: number; body: string; contentType?: string; silent?: boolean };
type Seen = { method: string; url: string; apiKey: string | undefined; body: string };

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const SECRET = 'local-secret-value';
const CONNECTION_ARN = 'arn:aws:events:us-east-1:000000000000:connection/crm/local';
let server: Server;
let base = '';
let replies: Reply[] = [];
const seen: Seen[] = [];
/** Aborted once a silent reply has taken its request: the call's cap runs out then, not on a real timer. */
let silenced = new AbortController();

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const key = request.headers['x-api-key'];
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        apiKey: typeof key === 'string' ? key : undefined,
        body,
      });
      const reply = replies.shift() ?? { status: 200, body: '{}' };
      // An endpoint that never answers: the request stays open until the server closes.
      if (reply.silent === true) {
        silenced.abort();
        return;
      }
      response.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' });
      response.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);

function journey(onFailure: 'continue' | 'exit', onError?: string) {
  return Journey.parse({
    id: 'hook',
    name: 'Webhook',
    trigger: { type: 'event', event: 'Order Completed' },
    context: {
      orderId: { type: 'string', from: 'trigger.properties.orderId' },
      coupon: { type: 'string' },
      points: { type: 'number' },
    },
    settings: { onFailure },
    start: 'crm',
    steps: {
      crm: {
        type: 'webhook',
        connection: 'crm',
        method: 'POST',
        url: `${base}/loyalty`,
        headers: { 'x-journey': 'hook' },
        query: { source: 'journeys' },
        body: { order: { from: 'context.orderId' }, total: { from: 'trigger.properties.total' } },
        response: { coupon: 'body.coupon.code', points: 'body.points' },
        timeoutSeconds: 5,
        ...(onError === undefined ? {} : { onError }),
        next: 'route',
      },
      route: {
        type: 'branch',
        branches: [{ when: { path: 'context.points', gte: 100 }, next: 'thanks' }],
        otherwise: 'done',
      },
      thanks: { type: 'email', template: 'thanks', next: 'done' },
      apology: { type: 'exit', reason: 'crm down' },
      done: { type: 'exit' },
    },
  });
}

async function run(j: Journey, replyList: Reply[], limits?: CallLimits) {
  replies = [...replyList];
  silenced = new AbortController();
  seen.length = 0;
  const sends: SendMessageInput[] = [];
  const bindings = { ...LOCAL_BINDINGS, connectionArns: new Map([['crm', CONNECTION_ARN]]) };
  // Journey time stands still while the call is in flight: only retry intervals and timeouts move it.
  const clock = new JourneyClock(T0);
  const machine = new LocalStateMachine(compile(j, bindings), {
    time: runnerTime(clock),
    handlers: {
      [HTTP_INVOKE_RESOURCE]: httpInvokeIntegration(
        [
          {
            arn: CONNECTION_ARN,
            baseUrl: base,
            target: base,
            authHeader: { name: 'x-api-key', value: SECRET },
          },
        ],
        limits,
      ),
      [LOCAL_BINDINGS.evaluateFunctionArn]: setContext,
      [LOCAL_BINDINGS.sendMessageFunctionArn]: (input: unknown) => {
        sends.push(SendMessageInput.parse(input));
        return { status: 'sent', messageId: 'm1' };
      },
    },
  });
  const execution = machine.start({
    v: 2,
    journeyId: 'hook',
    journeyVersion: '1',
    enrollmentId: 'e1',
    userId: 'u1',
    enrolledAt: '2026-11-24T10:00:00.000Z',
    trigger: { type: 'track', event: 'Order Completed', properties: { orderId: 'o-7', total: 42.5 } },
    buckets: {},
  });
  await clock.advanceTo(T0 + 3_600_000);
  const outcome = await execution.done;
  clock.stop();
  return { outcome, sends };
}

describe('webhook step, compiled and run offline against a loopback server', () => {
  it('calls the endpoint with the connection credential and maps the 2xx response into the context', async () => {
    // act
    const { outcome, sends } = await run(journey('continue'), [
      { status: 200, body: JSON.stringify({ coupon: { code: 'SAVE10' }, points: 120 }) },
    ]);
    // assert
    expect(outcome.status).toBe('SUCCEEDED');
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/api/loyalty?source=journeys',
        apiKey: SECRET,
        body: JSON.stringify({ order: 'o-7', total: 42.5 }),
      },
    ]);
    expect(outcome.visited).toEqual([
      '_context',
      'crm',
      'crm.response',
      'crm.mapped',
      'route',
      'thanks',
      'done',
    ]);
    expect(sends[0]?.context).toEqual({ orderId: 'o-7', coupon: 'SAVE10', points: 120 });
    expect(JSON.stringify(outcome.output)).not.toContain(SECRET);
  });

  it('sets a missing or wrong-typed response field to null and keeps the others', async () => {
    // act
    const { outcome } = await run(journey('continue'), [
      { status: 201, body: JSON.stringify({ coupon: 'not-an-object', points: '150' }) },
    ]);
    // assert: points is a string, coupon.code is missing: both null, the branch takes otherwise
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output).toMatchObject({ context: { orderId: 'o-7', coupon: null, points: null } });
    expect(outcome.visited).toEqual([
      '_context',
      'crm',
      'crm.response',
      'crm.field.coupon',
      'crm.null.coupon',
      'crm.field.points',
      'crm.null.points',
      'route',
      'done',
    ]);
  });

  it('keeps a partly fitting response: the fitting field is set', async () => {
    // act
    const { outcome } = await run(journey('continue'), [
      { status: 200, body: JSON.stringify({ coupon: { code: 7 }, points: 300 }) },
    ]);
    // assert
    expect(outcome.output).toMatchObject({ context: { coupon: null, points: 300 } });
    expect(outcome.visited).toContain('thanks');
  });

  it('retries a 429 and a 503 until they run out, then goes on to next under the continue policy with the error kept', async () => {
    // act
    const { outcome, sends } = await run(
      journey('continue'),
      Array.from({ length: 4 }, (_, i) => ({ status: i % 2 === 0 ? 503 : 429, body: '{"error":"busy"}' })),
    );
    // assert: the first call and three retries
    expect(seen).toHaveLength(4);
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.visited).toEqual(['_context', 'crm', 'route', 'done']);
    expect(outcome.output).toMatchObject({
      failure: { Error: 'States.Http.StatusCode.429' },
      context: { coupon: null, points: null },
    });
    expect(sends).toHaveLength(0);
  });

  it.each([500, 502, 504])(
    'calls once on a %i, which may come after the endpoint acted, and goes on with the error kept',
    async (status) => {
      // act: the endpoint would answer 200 to a second call
      const { outcome } = await run(journey('continue'), [
        { status, body: '{"error":"upstream"}' },
        { status: 200, body: JSON.stringify({ coupon: { code: 'TWICE' }, points: 1 }) },
      ]);
      // assert
      expect(seen).toHaveLength(1);
      expect(outcome.output).toMatchObject({
        failure: { Error: `States.Http.StatusCode.${status}` },
        context: { coupon: null, points: null },
      });
    },
  );

  it('succeeds after a 503 and a 429 once the endpoint recovers', async () => {
    // act
    const { outcome } = await run(journey('continue'), [
      { status: 503, body: '' },
      { status: 429, body: '' },
      { status: 200, body: JSON.stringify({ coupon: { code: 'OK' }, points: 1 }) },
    ]);
    // assert
    expect(seen).toHaveLength(3);
    expect(outcome.output).toMatchObject({ context: { coupon: 'OK', points: 1 } });
  });

  it('does not retry a 4xx other than 429, and exits under the exit policy with the reason', async () => {
    // act
    const { outcome } = await run(journey('exit'), [{ status: 404, body: 'no' }]);
    // assert
    expect(seen).toHaveLength(1);
    expect(outcome.visited).toEqual(['_context', 'crm', 'crm.failed']);
    expect(outcome.output).toMatchObject({
      exit: { stepId: 'crm', reason: 'webhook failed', error: 'States.Http.StatusCode.404' },
    });
  });

  it('goes to onError on a failed call, whatever the policy', async () => {
    // act
    const { outcome } = await run(journey('exit', 'apology'), [{ status: 400, body: '' }]);
    // assert
    expect(outcome.visited).toEqual(['_context', 'crm', 'apology']);
  });

  it('refuses a response over the size limit', async () => {
    // act
    const { outcome } = await run(journey('exit'), [{ status: 200, body: `"${'x'.repeat(40_000)}"` }]);
    // assert
    expect(outcome.visited).toEqual(['_context', 'crm', 'crm.failed']);
    expect(outcome.output).toMatchObject({ exit: { error: 'States.DataLimitExceeded' } });
  });

  it('fails a call the endpoint never answers with States.Timeout instead of holding the runtime', async () => {
    // act: the endpoint stays silent; the cap (the 60 s Step Functions allows a call) runs out once it has the request
    const { outcome } = await run(journey('exit'), [{ status: 200, body: '', silent: true }], {
      maxCallMs: 60_000,
      expired: () => silenced.signal,
    });
    // assert: not retried (the endpoint may have acted), exits with the reason
    expect(seen).toHaveLength(1);
    expect(outcome.visited).toEqual(['_context', 'crm', 'crm.failed']);
    expect(outcome.output).toMatchObject({ exit: { error: 'States.Timeout' } });
  });
});
