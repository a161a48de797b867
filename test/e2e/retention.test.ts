import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocal } from '#infra/local/index.ts';
import { readActivity } from '#infra/local/runtime/activity.ts';
import { olderPart } from '#infra/local/runtime/capped-log.ts';
import { readArchiveLines } from '#infra/local/services/eventbridge/archive.ts';
import { storedEmails } from '#infra/local/services/ses/store.ts';
import {
  E2E_START,
  E2E_TIMEOUT,
  identify,
  putEvents,
  type Sandbox,
  sandbox,
  track,
} from './support/local-runtime.ts';

/** The runtime's `retention` option reaches every store: a busy run stays within the caps it was given. */

const LOG_BYTES = 8 * 1024;
const CUSTOMERS = 20;
let box: Sandbox;
let runtime: LocalRuntime;

beforeAll(async () => {
  box = await sandbox(['cart-abandonment']);
  runtime = await startLocal({
    dataDir: box.dataDir,
    journeysDir: box.journeysDir,
    clock: 'deterministic',
    startAt: E2E_START,
    ports: { dynamodb: 0, eventbridge: 0, sfn: 0, ses: 0, pinpoint: 0, s3: 0, sqs: 0, console: 0 },
    watch: false,
    log: () => {},
    retention: { logBytes: LOG_BYTES, sentEmails: 3 },
  });
}, E2E_TIMEOUT);
afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

const bytes = async (file: string) =>
  ((await stat(file).catch(() => undefined))?.size ?? 0) +
  ((await stat(olderPart(file)).catch(() => undefined))?.size ?? 0);

describe('a local runtime with small retention caps', () => {
  it(
    'keeps its logs and sent emails within them, newest last',
    async () => {
      // arrange
      const events = Array.from({ length: CUSTOMERS }, (_, i) => [
        identify(`kept-${i}`, 'Etc/GMT'),
        track(`kept-${i}`, 'Cart Updated', { cartId: `cart-${i}`, total: 40 }),
      ]).flat();
      // act: every customer passes the one-hour wait and is sent the reminder
      await putEvents(runtime, events);
      await runtime.advanceTo(runtime.services.clock.nowMs() + 2 * 3_600_000);
      // assert
      const emails = await storedEmails(runtime.endpoints.ses);
      expect(emails).toHaveLength(3);
      const activity = await readActivity(box.dataDir);
      expect(activity.length).toBeGreaterThan(0);
      expect(activity.length).toBeLessThan(2 * CUSTOMERS);
      // The emails kept are the last three sent: the last three reminder tasks in the activity log.
      const lastReminded = activity
        .filter((a) => a.state === 'reminder-email')
        .slice(-3)
        .map((a) => JSON.stringify(a.input));
      const recipients = emails.map((e) => e.destination?.to[0]?.split('@')[0] ?? '');
      expect(recipients.every((user) => lastReminded.some((input) => input.includes(`"${user}"`)))).toBe(
        true,
      );
      for (const file of ['activity.jsonl', 'events.jsonl'])
        expect(await bytes(join(box.dataDir, file))).toBeLessThanOrEqual(LOG_BYTES);
      const archived = (await readArchiveLines(box.dataDir)).map((line) => JSON.parse(line).event);
      expect(archived.length).toBeGreaterThan(0);
      expect(archived.at(-1)?.time >= archived[0]?.time).toBe(true);
    },
    E2E_TIMEOUT,
  );
});
