import { mkdtemp, readdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPinpointServer } from '#infra/local/services/pinpoint/pinpoint.ts';
import { createS3Server } from '#infra/local/services/s3/s3.ts';

let folder: string;
let s3: Server;
let pinpoint: Server;
let s3Url: string;
let pinpointUrl: string;

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'journeys-malformed-'));
  s3 = createS3Server('bucket', folder);
  pinpoint = createPinpointServer(`${folder}-outbox.jsonl`, () => {});
  [s3Url, pinpointUrl] = await Promise.all([listening(s3), listening(pinpoint)]);
});

afterAll(async () => {
  await Promise.all([s3, pinpoint].map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('the local stand-ins answer a malformed request as the client at fault', () => {
  it.each([
    ['GET', '/bucket/journeys/%E0%A4%A.json'],
    ['PUT', '/bucket/journeys/%zz.json'],
    ['DELETE', '/bucket/journeys/cart%'],
  ])('S3 %s %s: 400 InvalidURI, as S3 answers, not 500', async (method, path) => {
    // arrange
    // act
    const reply = await fetch(`${s3Url}${path}`, { method, body: method === 'PUT' ? '{}' : undefined });
    // assert
    expect(reply.status).toBe(400);
    expect(await reply.text()).toContain('<Code>InvalidURI</Code>');
  });

  it.each([
    ['/bucket/journeys/', 'ends in /'],
    ['/bucket/journeys/a%00b.json', 'NUL'],
  ])('S3 PUT of a key no file can hold (%s) is a 400 naming why, and writes nothing', async (path, why) => {
    // act
    const reply = await fetch(`${s3Url}${path}`, { method: 'PUT', body: '{}' });
    // assert
    expect(reply.status).toBe(400);
    const text = await reply.text();
    expect(text).toContain('<Code>InvalidArgument</Code>');
    expect(text).toContain(why);
    expect(await readdir(folder)).toStrictEqual([]);
  });

  it('Pinpoint SendMessages to a malformed application id is a 400, and the endpoint keeps serving', async () => {
    // arrange: a request that is valid but for its path
    const body = JSON.stringify({
      Addresses: { '+15550100': { ChannelType: 'SMS' } },
      MessageConfiguration: { SMSMessage: { Body: 'hi' } },
    });
    // act
    const bad = await fetch(`${pinpointUrl}/v1/apps/%E0%A4%A/messages`, { method: 'POST', body });
    const good = await fetch(`${pinpointUrl}/v1/apps/app-1/messages`, { method: 'POST', body });
    // assert: the process lives on (it used to end on an unhandled URIError)
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Malformed escape');
    expect(good.status).toBe(200);
  });
});
