import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_REQUEST_BYTES } from '#infra/local/runtime/http.ts';
import {
  FUNCTION_URL_MAX_BODY_BYTES,
  type LocalUnsubscribe,
  startUnsubscribe,
} from '#infra/local/services/function-url/unsubscribe.ts';
import { createS3Server } from '#infra/local/services/s3/s3.ts';
import { type LocalSes, startSes } from '../../support/ses.ts';

/**
 * The local SES, S3 and unsubscribe endpoints answer a body they cannot take
 * as their AWS services do: a malformed one as the client's fault, in the
 * service's own error format, and one past a size limit with 413, having held
 * no more of it than the limit.
 */

let dir: string;
let ses: LocalSes;
let s3: Server;
let s3Url: string;
let unsubscribe: LocalUnsubscribe;
const invoked: unknown[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'request-bodies-'));
  await Promise.all([
    (async () => {
      ses = await startSes();
    })(),
    (async () => {
      s3 = createS3Server('bucket', dir);
      await new Promise<void>((resolve) => s3.listen(0, '127.0.0.1', resolve));
      s3Url = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;
    })(),
    (async () => {
      unsubscribe = await startUnsubscribe(await mkdtemp(join(tmpdir(), 'request-bodies-key-')));
      unsubscribe.bind(async (event) => {
        invoked.push(event);
        return { statusCode: 200, body: 'unsubscribed' };
      });
    })(),
  ]);
});

afterAll(async () => {
  await Promise.all([ses.stop(), unsubscribe.stop(), new Promise((resolve) => s3.close(resolve))]);
  await rm(dir, { recursive: true, force: true });
});

const signed = {
  'content-type': 'application/json',
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=0',
};

describe('the local SES v2 endpoint', () => {
  it.each([
    ['cut short', '{"Destination":', /^The request body is not valid JSON: /],
    ['not an object', 'null', /^The request body must be a JSON object\.$/],
  ])(
    'answers a JSON body %s with a 400 JSON error SES clients read, not an HTML stack trace',
    async (_, body, message) => {
      // act
      const reply = await fetch(`${ses.endpoint}/v2/email/outbound-emails`, {
        method: 'POST',
        headers: signed,
        body,
      });
      // assert
      expect(reply.status).toBe(400);
      expect(reply.headers.get('content-type')).toBe('application/json');
      expect(reply.headers.get('x-amzn-errortype')).toBe('BadRequestException');
      const text = await reply.text();
      expect(Object.keys(JSON.parse(text))).toStrictEqual(['message']);
      expect(String(JSON.parse(text).message)).toMatch(message);
      expect(text).not.toMatch(/at JSON\.parse|<html|node_modules/);
    },
  );

  it('refuses a body past the limit with 413, which the SDK reports by name, and goes on sending', async () => {
    // arrange
    const email = (text: string) =>
      new SendEmailCommand({
        FromEmailAddress: 'shop@example.com',
        Destination: { ToAddresses: ['ada@example.com'] },
        Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: text } } } },
      });
    // act
    const tooLarge = await ses.client.send(email('x'.repeat(MAX_JSON_REQUEST_BYTES + 1))).catch((e) => e);
    const fine = await ses.client.send(email('hello'));
    // assert
    expect(tooLarge).toBeInstanceOf(Error);
    expect(tooLarge.name).toBe('RequestEntityTooLargeException');
    expect(tooLarge.$metadata?.httpStatusCode).toBe(413);
    expect(fine.MessageId).toEqual(expect.any(String));
    expect((await ses.emails()).map((e) => e.body.text)).toStrictEqual(['hello']);
  });
});

describe('the local S3 endpoint', () => {
  it('refuses an object past the limit with 413 EntityTooLarge, and writes nothing', async () => {
    // act
    const reply = await fetch(`${s3Url}/bucket/journeys/huge.json`, {
      method: 'PUT',
      body: Buffer.alloc(MAX_JSON_REQUEST_BYTES + 1, 0x20),
    });
    // assert
    expect(reply.status).toBe(413);
    expect(await reply.text()).toContain('<Code>EntityTooLarge</Code>');
    expect(await readdir(dir)).toStrictEqual([]);
  });

  it('takes an object at the limit', async () => {
    // act
    const reply = await fetch(`${s3Url}/bucket/journeys/large.json`, {
      method: 'PUT',
      body: Buffer.alloc(MAX_JSON_REQUEST_BYTES, 0x20),
    });
    // assert
    expect(reply.status).toBe(200);
    await rm(join(dir, 'large.json'));
  });
});

describe('the local unsubscribe endpoint', () => {
  it('refuses a body past what a function URL takes with 413, without invoking the function', async () => {
    // arrange
    invoked.length = 0;
    // act
    const reply = await fetch(`${unsubscribe.url}?t=abc.def`, {
      method: 'POST',
      body: Buffer.alloc(FUNCTION_URL_MAX_BODY_BYTES + 1, 0x61),
    });
    const fine = await fetch(`${unsubscribe.url}?t=abc.def`, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
    });
    // assert
    expect(reply.status).toBe(413);
    expect(await reply.text()).toMatch(/Request must be smaller than 6291456 bytes/);
    expect(fine.status).toBe(200);
    expect(invoked).toHaveLength(1);
  });
});
