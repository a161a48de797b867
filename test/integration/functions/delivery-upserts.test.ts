import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/** A write after the claim never creates a delivery record: only the claim does, with its expiry. */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('delivery-upserts');
});
afterAll(async () => db.stop());

describe('push token outcomes of a delivery', () => {
  it('are not written when its record is gone, so no record without an expiry is created', async () => {
    // arrange
    const deliveries = new DeliveriesRepository(db.doc, db.tables.deliveries);
    // act
    await deliveries.recordTokenOutcomes('gone-enrollment#push-step', [
      { token: 'token-0123456789', status: 'PERMANENT_FAILURE', action: 'remove', reason: 'unregistered' },
    ]);
    // assert
    const out = await db.doc.send(
      new GetCommand({ TableName: db.tables.deliveries, Key: { deliveryId: 'gone-enrollment#push-step' } }),
    );
    expect(out.Item).toBeUndefined();
  });
});
