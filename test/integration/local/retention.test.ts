import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSentMessages } from '#infra/local/inspect/sent.ts';
import { ActivityLog, readActivity } from '#infra/local/runtime/activity.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { olderPart, readLogLines } from '#infra/local/runtime/capped-log.ts';
import { JourneyClock } from '#infra/local/runtime/clock.ts';
import { closeServer, listenOn } from '#infra/local/runtime/listen.ts';
import { QueueWorker } from '#infra/local/runtime/queue-worker.ts';
import { archivePath, readArchiveLines } from '#infra/local/services/eventbridge/archive.ts';
import { createEventBridgeServer, LocalBus } from '#infra/local/services/eventbridge/bus.ts';
import { readDeadLetters } from '#infra/local/services/eventbridge/dead-letters.ts';
import { outboxPath, readOutbox } from '#infra/local/services/pinpoint/outbox.ts';
import { createPinpointServer } from '#infra/local/services/pinpoint/pinpoint.ts';
import { sentEmailsPath } from '#infra/local/services/ses/sent-log.ts';
import { startSes } from '#infra/local/services/ses/ses.ts';
import { storedEmails } from '#infra/local/services/ses/store.ts';
import { createSqsServer } from '#infra/local/services/sqs/sqs.ts';

/**
 * Every store the local runtime appends to keeps its newest records within
 * its cap: each is written well past it through the API its writers use,
 * then read back with the reader the inspect commands use.
 */

const CAP = 8 * 1024;
const T0 = Date.parse('2026-03-02T09:00:00Z');
let dir = '';
let servers: Server[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journeys-retention-'));
  servers = [];
});
afterEach(async () => {
  for (const server of servers) await closeServer(server);
  await rm(dir, { recursive: true, force: true });
});

async function serve(server: Server): Promise<string> {
  servers.push(server);
  return `http://127.0.0.1:${await listenOn(server, 'eventbridge', 0)}`;
}

const size = async (file: string) =>
  ((await stat(file).catch(() => undefined))?.size ?? 0) +
  ((await stat(olderPart(file)).catch(() => undefined))?.size ?? 0);

/** The numbers records carry, oldest first: the newest must be last and the run unbroken. */
function expectNewestRun(numbers: number[], written: number): void {
  expect(numbers.at(-1)).toBe(written - 1);
  expect(numbers).toEqual(numbers.map((_, i) => written - numbers.length + i));
  expect(numbers.length).toBeGreaterThan(0);
  expect(numbers.length).toBeLessThan(written);
}

describe('the local runtime keeps each store within its cap', () => {
  it('the bus archive and dead letters: the newest events, readable by timelines and `journeys dlq`', async () => {
    // arrange: a bus whose only target always fails
    const clock = new JourneyClock(T0);
    const bus = new LocalBus(['customer-events'], {
      files: { archive: archivePath(dir), deadLetters: join(dir, 'dead-letters.jsonl') },
      maxFileBytes: CAP,
      clock,
    });
    bus.addTarget({
      name: 'ingest',
      busName: 'customer-events',
      matches: () => true,
      deliver: async () => {
        throw new Error('down');
      },
    });
    const client = new EventBridgeClient(localClientConfig(await serve(createEventBridgeServer(bus))));
    const written = 200;
    // act
    for (let n = 0; n < written; n += 1) {
      await client.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: 'app',
              DetailType: 'track',
              Detail: JSON.stringify({ n }),
              EventBusName: 'customer-events',
            },
          ],
        }),
      );
    }
    await bus.idle();
    client.destroy();
    // assert
    expect(await size(archivePath(dir))).toBeLessThanOrEqual(CAP);
    expectNewestRun(
      (await readArchiveLines(dir)).map((line) => JSON.parse(line).event.detail.n),
      written,
    );
    expect(await size(join(dir, 'dead-letters.jsonl'))).toBeLessThanOrEqual(CAP);
    const { letters, unreadable } = await readDeadLetters(join(dir, 'dead-letters.jsonl'));
    expect(unreadable).toBe(0);
    // Deliveries run a few at once: dead letters are the newest, in the order their deliveries failed.
    const failed = letters.map((l) => Number(Reflect.get(Object(l.event.detail), 'n')));
    expect(Math.max(...failed)).toBe(written - 1);
    expect(failed.length).toBeLessThan(written);
    expect(Math.min(...failed)).toBeGreaterThan(written - failed.length - 10);
  });

  it('the Pinpoint outbox: the newest SMS, readable by `journeys sent`', async () => {
    // arrange
    const endpoint = await serve(
      createPinpointServer(
        outboxPath(dir),
        () => undefined,
        () => new Date(T0),
        CAP,
      ),
    );
    const client = new PinpointClient(localClientConfig(endpoint));
    const written = 120;
    // act
    for (let n = 0; n < written; n += 1) {
      await client.send(
        new SendMessagesCommand({
          ApplicationId: 'app',
          MessageRequest: {
            Addresses: { '+15555550100': { ChannelType: 'SMS' } },
            MessageConfiguration: { SMSMessage: { Body: `message ${n}` } },
          },
        }),
      );
    }
    client.destroy();
    // assert
    expect(await size(outboxPath(dir))).toBeLessThanOrEqual(CAP);
    expectNewestRun(
      (await readOutbox(dir)).map((entry) => Number(entry.body.split(' ')[1])),
      written,
    );
  });

  it('the task activity log: the newest task calls, readable by timelines and traces', async () => {
    // arrange
    const log = new ActivityLog(dir, CAP);
    const written = 150;
    // act
    for (let n = 0; n < written; n += 1)
      log.record({
        at: new Date(T0 + n).toISOString(),
        execution: `e-${n}`,
        state: 'Email',
        resource: 'send',
        input: { n },
      });
    await log.flushed();
    // assert
    expect(await size(join(dir, 'activity.jsonl'))).toBeLessThanOrEqual(CAP);
    expectNewestRun(
      (await readActivity(dir)).map((a) => Number(a.execution.slice(2))),
      written,
    );
  });

  it('a file queue and a worker queue’s dead letters: the newest messages', async () => {
    // arrange: the rejected-events queue is a file; a worker queue whose function always fails
    const clock = new JourneyClock(T0);
    const worker = new QueueWorker('segment', {
      batchSize: 1,
      concurrency: 1,
      maxReceiveCount: 1,
      retryDelayMs: 1_000,
      deadLetters: join(dir, 'segment-dead-letters.jsonl'),
      deadLetterBytes: CAP,
      onError: () => undefined,
      clock,
    });
    worker.bind(async () => {
      throw new Error('down');
    });
    const endpoint = await serve(createSqsServer(dir, ['rejected'], { workers: [worker], maxBytes: CAP }));
    const client = new SQSClient(localClientConfig(endpoint));
    const written = 120;
    // act
    for (let n = 0; n < written; n += 1) {
      await client.send(
        new SendMessageCommand({ QueueUrl: `${endpoint}/000000000000/rejected`, MessageBody: `{"n":${n}}` }),
      );
      await client.send(
        new SendMessageCommand({ QueueUrl: `${endpoint}/000000000000/segment`, MessageBody: `{"n":${n}}` }),
      );
      await worker.idle();
    }
    client.destroy();
    // assert
    for (const file of [join(dir, 'rejected.jsonl'), join(dir, 'segment-dead-letters.jsonl')]) {
      expect(await size(file)).toBeLessThanOrEqual(CAP);
      expectNewestRun(
        (await readLogLines(file)).map((line) => JSON.parse(JSON.parse(line).body).n),
        written,
      );
    }
    // The active file keeps its name: a small queue reads as it always did.
    expect(await readFile(join(dir, 'rejected.jsonl'), 'utf8')).toContain(`{\\"n\\":${written - 1}}`);
  });

  it('the SES emulator: the newest emails, as `journeys sent` and the viewer read them', async () => {
    // arrange
    const ses = await startSes(0, 5);
    const client = new SESv2Client(localClientConfig(ses.endpoint));
    // act
    for (let n = 0; n < 12; n += 1) {
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: 'shop@example.com',
          Destination: { ToAddresses: ['ada@example.com'] },
          Content: { Simple: { Subject: { Data: `email ${n}` }, Body: { Text: { Data: `body ${n}` } } } },
        }),
      );
    }
    const kept = await storedEmails(ses.endpoint);
    client.destroy();
    await ses.stop();
    // assert
    expect(kept.map((e) => e.subject)).toEqual(['email 7', 'email 8', 'email 9', 'email 10', 'email 11']);
    expect(kept.at(-1)?.body?.text).toBe('body 11');
  });

  it('the SES emulator on a file: one started after it shows its newest emails, and the file keeps at most twice the cap', async () => {
    // arrange: a first emulator on a file sends past its cap, then stops
    const file = join(dir, 'emails.jsonl');
    const first = await startSes(0, 5, { file });
    const client = new SESv2Client(localClientConfig(first.endpoint));
    const send = async (n: number) =>
      client.send(
        new SendEmailCommand({
          FromEmailAddress: 'shop@example.com',
          Destination: { ToAddresses: ['ada@example.com'] },
          Content: { Simple: { Subject: { Data: `email ${n}` }, Body: { Text: { Data: `body ${n}` } } } },
        }),
      );
    for (let n = 0; n < 12; n += 1) await send(n);
    client.destroy();
    await first.stop();
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean).length;
    // act
    const second = await startSes(0, 5, { file });
    const kept = await storedEmails(second.endpoint);
    await second.stop();
    // assert
    expect(kept.map((e) => e.subject)).toEqual(['email 7', 'email 8', 'email 9', 'email 10', 'email 11']);
    expect(kept.at(-1)?.body?.text).toBe('body 11');
    expect(lines).toBeLessThanOrEqual(10);
  });

  it('the SES emulator on a file: large emails keep the file within its bytes, the newest shown after a restart', async () => {
    // arrange: a count cap the emails never reach, and a byte cap a few of them fill
    const file = join(dir, 'emails.jsonl');
    const first = await startSes(0, 1_000, { file, maxBytes: CAP });
    const client = new SESv2Client(localClientConfig(first.endpoint));
    const big = 'x'.repeat(1_500);
    let largest = 0;
    for (let n = 0; n < 30; n += 1) {
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: 'shop@example.com',
          Destination: { ToAddresses: ['ada@example.com'] },
          Content: { Simple: { Subject: { Data: `email ${n}` }, Body: { Text: { Data: `${n} ${big}` } } } },
        }),
      );
      largest = Math.max(largest, await size(file));
    }
    client.destroy();
    await first.stop();
    // act
    const second = await startSes(0, 1_000, { file, maxBytes: CAP });
    const kept = await storedEmails(second.endpoint);
    await second.stop();
    // assert
    expect(largest).toBeLessThanOrEqual(CAP);
    expectNewestRun(
      kept.map((e) => Number((e.subject ?? '').replace('email ', ''))),
      30,
    );
  });

  it('the SES emulator on a file: a line that is not an email (edited by hand) is left out, the others shown', async () => {
    // arrange
    const file = join(dir, 'emails.jsonl');
    const kept = { messageId: 'm1', subject: 'kept', destination: { to: ['ada@example.com'] } };
    await writeFile(file, `${JSON.stringify(kept)}\nnot json\n{"subject":"no id"}\n`);
    // act
    const ses = await startSes(0, 5, { file });
    const emails = await storedEmails(ses.endpoint);
    await ses.stop();
    // assert
    expect(emails.map((e) => [e.messageId, e.subject, e.destination?.to])).toEqual([
      ['m1', 'kept', ['ada@example.com']],
    ]);
  });

  it('the SES emulator on a file: with no runtime answering, `journeys sent` and traces read the emails from the folder', async () => {
    // arrange: an emulator on the data folder's file sends an email, then stops
    const ses = await startSes(0, 5, { file: sentEmailsPath(dir) });
    const client = new SESv2Client(localClientConfig(ses.endpoint));
    const sent = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'shop@example.com',
        Destination: { ToAddresses: ['ada@example.com'] },
        Content: { Simple: { Subject: { Data: 'while it ran' }, Body: { Text: { Data: 'still here' } } } },
      }),
    );
    client.destroy();
    await ses.stop();
    // act: the endpoint it answered on no longer answers
    const listed = await readSentMessages(dir, ses.endpoint);
    const direct = await storedEmails(ses.endpoint, dir);
    // assert
    expect(listed).toEqual([
      {
        channel: 'email',
        messageId: sent.MessageId,
        to: 'ada@example.com',
        subject: 'while it ran',
        text: 'still here',
      },
    ]);
    expect(direct.map((e) => e.subject)).toEqual(['while it ran']);
  });

  it('the SES emulator on a file: a cleared store stays cleared after a restart', async () => {
    // arrange
    const file = join(dir, 'emails.jsonl');
    const first = await startSes(0, 5, { file });
    const client = new SESv2Client(localClientConfig(first.endpoint));
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'shop@example.com',
        Destination: { ToAddresses: ['ada@example.com'] },
        Content: { Simple: { Subject: { Data: 'cleared' }, Body: { Text: { Data: 'cleared' } } } },
      }),
    );
    client.destroy();
    // act: the viewer's "clear", then a restart
    const cleared = await fetch(`${first.endpoint}/clear-store`, { method: 'POST' });
    await first.stop();
    const second = await startSes(0, 5, { file });
    const kept = await storedEmails(second.endpoint);
    await second.stop();
    // assert
    expect(cleared.status).toBe(200);
    expect(kept).toEqual([]);
  });

  it('the SES emulator: one started after another in the same process starts with no emails, as a new process does', async () => {
    // arrange: an email in a first emulator, stopped
    const first = await startSes(0, 5);
    const client = new SESv2Client(localClientConfig(first.endpoint));
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'shop@example.com',
        Destination: { ToAddresses: ['ada@example.com'] },
        Content: { Simple: { Subject: { Data: 'earlier' }, Body: { Text: { Data: 'earlier' } } } },
      }),
    );
    client.destroy();
    await first.stop();
    // act
    const second = await startSes(0, 5);
    const kept = await storedEmails(second.endpoint);
    await second.stop();
    // assert
    expect(kept).toEqual([]);
  });
});
