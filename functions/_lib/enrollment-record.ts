import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Outcome } from '#shared/stats/keys.ts';
import { isConditionFailed } from './expression.ts';

/**
 * What attribution needs to know about one enrollment: the variants it was
 * assigned, the last message step it was sent, whether it converted and how
 * it ended. One item per enrollment in the stats table (never a list on a
 * shared item), removed when the execution has ended and the goal window has
 * closed, with a TTL as a backstop.
 */

/** Longer than the longest execution (1 year) plus a goal window that outlives it. */
const RETENTION_SECONDS = 400 * 24 * 3600;
const SORT_KEY = 'enrollment';

export const EnrollmentRecord = z.object({
  enrollmentId: z.string(),
  journeyId: z.string(),
  version: z.string(),
  variants: z.array(z.object({ stepId: z.string(), variant: z.string() })),
  enrolledAt: z.string(),
  /** End of the goal window; absent when the window is the whole enrollment. */
  goalUntil: z.string().optional(),
  lastStep: z.string().optional(),
  convertedAt: z.string().optional(),
  outcome: z.string().optional(),
});
export type EnrollmentRecord = z.infer<typeof EnrollmentRecord>;

function keyOf(enrollmentId: string) {
  return { pk: `enrollment#${enrollmentId}`, sk: SORT_KEY };
}

function epochSeconds(at: string | Date): number {
  return Math.floor(new Date(at).getTime() / 1000);
}

export class EnrollmentRecords {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Creates the record; false when it already exists (a redelivered start). */
  async create(record: EnrollmentRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keyOf(record.enrollmentId),
            ...record,
            expiresAt: epochSeconds(record.enrolledAt) + RETENTION_SECONDS,
          },
          // One record per enrollment: counting follows only the first write.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** Remembers the last message step sent; nothing when the enrollment has no record. */
  async sent(enrollmentId: string, stepId: string): Promise<void> {
    await this.update(enrollmentId, 'SET lastStep = :s', 'attribute_exists(pk)', { ':s': stepId });
  }

  /**
   * Marks the record converted, once: the record as it was before, `'repeat'`
   * when it had already converted, `'missing'` when there is no record.
   */
  async convert(
    enrollmentId: string,
    at: Date,
    ends: boolean,
  ): Promise<EnrollmentRecord | 'repeat' | 'missing'> {
    const set = ends
      ? 'SET convertedAt = :at, outcome = if_not_exists(outcome, :goal)'
      : 'SET convertedAt = :at';
    const values: Record<string, string> = { ':at': at.toISOString() };
    if (ends) values[':goal'] = 'goal';
    const record = await this.update(
      enrollmentId,
      set,
      'attribute_exists(pk) AND attribute_not_exists(convertedAt)',
      values,
      'ALL_OLD',
    );
    if (record !== undefined) return record;
    return (await this.get(enrollmentId)) === undefined ? 'missing' : 'repeat';
  }

  /** Records how the enrollment ended, once; the record, or undefined when it had already ended or has no record. */
  async end(enrollmentId: string, outcome: Outcome): Promise<EnrollmentRecord | undefined> {
    return this.update(
      enrollmentId,
      'SET outcome = :o',
      'attribute_exists(pk) AND attribute_not_exists(outcome)',
      { ':o': outcome },
    );
  }

  /**
   * After the execution ended: keeps the record only while a conversion can
   * still be attributed to it (until the end of the goal window), else removes it.
   */
  async retire(record: EnrollmentRecord, now: Date): Promise<void> {
    const open =
      record.convertedAt === undefined && record.goalUntil !== undefined && new Date(record.goalUntil) > now;
    if (open && record.goalUntil !== undefined) {
      await this.update(record.enrollmentId, 'SET expiresAt = :exp', 'attribute_exists(pk)', {
        ':exp': epochSeconds(record.goalUntil),
      });
      return;
    }
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: keyOf(record.enrollmentId) }));
  }

  async get(enrollmentId: string): Promise<EnrollmentRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keyOf(enrollmentId) }));
    return Item === undefined ? undefined : EnrollmentRecord.parse(Item);
  }

  private async update(
    enrollmentId: string,
    expression: string,
    condition: string,
    values: Record<string, unknown>,
    returnValues: 'ALL_NEW' | 'ALL_OLD' = 'ALL_NEW',
  ): Promise<EnrollmentRecord | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keyOf(enrollmentId),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ReturnValues: returnValues,
        }),
      );
      return Attributes === undefined ? undefined : EnrollmentRecord.parse(Attributes);
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }
}
