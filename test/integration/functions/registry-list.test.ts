import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '#functions/_lib/observability.ts';
import { LIVE_SK, RegistryRepository } from '#functions/_lib/registry.ts';
import { liveFields } from '#shared/ingest/live-journey.ts';
import { Journey } from '#shared/journey/schema.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * Listing the live journeys reads what they need, not the table: a journey's
 * partition also holds its pinned template snapshots, which grow with deploy
 * history, and ingest lists the journeys every half minute per container.
 */

let db: LocalDynamo;
let scans: number;

beforeEach(async () => {
  db = await startDynalite('registry-list');
  scans = 0;
  db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ScanCommand') scans++;
      return next(args);
    },
    { step: 'initialize', name: 'countScans' },
  );
});
afterEach(async () => db.stop());

function entry(id: string) {
  const journey = Journey.parse({
    id,
    name: id,
    trigger: { type: 'event', event: 'Go' },
    start: 'done',
    steps: { done: { type: 'exit' } },
  });
  const arn = `arn:aws:states:eu-west-1:123456789012:stateMachine:journey-${id}`;
  return {
    ...liveFields(journey),
    version: '1',
    versionArn: `${arn}:1`,
    aliasArn: `${arn}:live`,
    stateMachineArn: arn,
    sourceKey: `journeys/${id}.json`,
    deployedAt: '2026-11-01T00:00:00.000Z',
  };
}

/** Months of template edits in one journey's partition: about 1.2 MB, two pages of a scan. */
async function snapshotHistory(journeyId: string, days = 100): Promise<void> {
  const html = 'x'.repeat(12_000);
  for (let day = 0; day < days; day++)
    await db.doc.send(
      new PutCommand({
        TableName: db.tables.journeys,
        Item: { journeyId, sk: `t#welcome@${day.toString(16).padStart(8, '0')}`, html },
      }),
    );
}

const ids = (entries: { journeyId: string }[]) => entries.map((e) => e.journeyId).sort();

describe('listing the live journeys', () => {
  it('reads the directory and the live items, not the snapshots beside them', async () => {
    const registry = new RegistryRepository(db.doc, db.tables.journeys);
    await registry.putDeployed(entry('welcome'), undefined);
    await registry.putDeployed(entry('winback'), undefined);
    await snapshotHistory('welcome');
    expect(ids(await registry.listLive())).toEqual(['welcome', 'winback']);
    scans = 0;
    for (let i = 0; i < 3; i++) expect(ids(await registry.listLive())).toEqual(['welcome', 'winback']);
    expect(scans).toBe(0);
  });

  it('fills the directory once from a table an earlier release wrote, and lists later deploys', async () => {
    // An earlier release wrote live items only.
    for (const id of ['cart', 'trial'])
      await db.doc.send(
        new PutCommand({ TableName: db.tables.journeys, Item: { ...entry(id), sk: LIVE_SK, history: [] } }),
      );
    const registry = new RegistryRepository(db.doc, db.tables.journeys);
    expect(ids(await registry.listLive())).toEqual(['cart', 'trial']);
    expect(scans).toBe(1);
    await registry.putDeployed(entry('renewal'), undefined);
    expect(await registry.archive('trial', '2026-11-02T00:00:00.000Z')).toBe(true);
    const listed = await registry.listLive();
    expect(ids(listed)).toEqual(['cart', 'renewal', 'trial']);
    expect(listed.find((e) => e.journeyId === 'trial')?.status).toBe('archived');
    expect(scans).toBe(1);
  });

  it('says which journey it left out because it cannot read its item, listed or scanned', async () => {
    // A release deployed after this one wrote a trigger this one does not know.
    const unknownTrigger = { ...entry('future'), trigger: { type: 'webhook', path: '/hook' } };
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const registry = new RegistryRepository(db.doc, db.tables.journeys);
    await db.doc.send(
      new PutCommand({ TableName: db.tables.journeys, Item: { ...unknownTrigger, sk: LIVE_SK } }),
    );
    expect(ids(await registry.listLive())).toEqual([]);
    await registry.putDeployed(entry('today'), undefined);
    expect(ids(await registry.listLive())).toEqual(['today']);
    const lines = error.mock.calls.filter(([message]) => String(message).includes('cannot be read'));
    error.mockRestore();
    expect(lines.map(([, fields]) => fields)).toEqual([
      expect.objectContaining({ journeyId: 'future', fields: ['trigger'] }),
      expect.objectContaining({ journeyId: 'future', fields: ['trigger'] }),
    ]);
  });

  it('lists more journeys than are read at once', async () => {
    const registry = new RegistryRepository(db.doc, db.tables.journeys);
    const many = Array.from({ length: 20 }, (_, i) => `journey-${i}`);
    for (const id of many) await registry.putDeployed(entry(id), undefined);
    expect(ids(await registry.listLive())).toEqual([...many].sort());
  });
});
