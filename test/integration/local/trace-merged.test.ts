import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { readTrace } from '#infra/local/inspect/trace.ts';
import { localTableName, startDynamo } from '#infra/local/services/dynamodb/dynalite.ts';
import { ENROLLMENTS_TABLE, PROFILES_TABLE } from '#shared/tables.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A visitor who entered a journey while anonymous, then signed in: the cart email will reach the known customer. */
describe('trace of a customer with merged ids', () => {
  it('lists the enrollments still running under an id merged into the profile', async () => {
    // arrange: u-1's profile names anon:a-1 as merged into it; anon:a-1 entered cart-abandonment before
    const dataDir = mkdtempSync(join(tmpdir(), 'trace-merged-'));
    dirs.push(dataDir);
    const dynamo = await startDynamo(join(dataDir, 'dynamodb'), 0);
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    await doc.send(
      new PutCommand({
        TableName: localTableName(PROFILES_TABLE),
        Item: { userId: 'u-1', 'mk:anon:a-1': Date.parse('2026-03-02T08:00:00Z') },
      }),
    );
    await new EnrollmentItems(doc, localTableName(ENROLLMENTS_TABLE)).putEnrollment('anon:a-1', {
      enrollmentId: 'cart-abandonment-a1',
      journeyId: 'cart-abandonment',
      version: '1',
      executionArn:
        'arn:aws:states:us-east-1:000000000000:execution:journey-cart-abandonment:cart-abandonment-a1',
      enrolledAt: '2026-03-02T07:30:00.000Z',
    });
    await dynamo.stop();

    // act: as `journeys trace u-1` reads a stopped runtime's folder
    const trace = await readTrace({ kind: 'local', dataDir }, 'u-1');

    // assert
    expect(trace.enrollments.map((e) => [e.journeyId, e.enrollmentId])).toEqual([
      ['cart-abandonment', 'cart-abandonment-a1'],
    ]);
  });
});
