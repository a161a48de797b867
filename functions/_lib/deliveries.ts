import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { SendMessageOutput } from '#shared/tasks.ts';
import { isConditionFailed } from './expression.ts';

/**
 * One item per (execution, step): the idempotency record of a send. A
 * second item per provider message id (`msg#<id>`) lets delivery feedback
 * find the customer and step of a bounce or click.
 */

const RETENTION_SECONDS = 400 * 24 * 3600;

export const DeliveryMeta = z.object({
  userId: z.string(),
  journeyId: z.string(),
  version: z.string(),
  stepId: z.string(),
  channel: z.enum(['email', 'sms', 'push']),
});
export type DeliveryMeta = z.infer<typeof DeliveryMeta>;

const DeliveryItem = DeliveryMeta.extend({
  status: z.enum(['sending', 'sent', 'suppressed', 'deferred', 'failed']),
  leaseUntil: z.number().optional(),
  output: SendMessageOutput.nullish(),
});

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'done'; output: SendMessageOutput }
  | { kind: 'busy' }
  | { kind: 'unknown' };

export function deliveryIdOf(enrollmentId: string, stepId: string): string {
  return `${enrollmentId}#${stepId}`;
}

export class DeliveriesRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Claims the send of (execution, step). Only a new, deferred or failed
   * delivery can be claimed: a sent or suppressed one returns its outcome,
   * and one whose previous attempt may have reached the provider is never
   * sent again (at most one message).
   */
  async claim(deliveryId: string, meta: DeliveryMeta, now: Date, leaseMs: number): Promise<Claim> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { deliveryId },
          UpdateExpression:
            'SET #status = :sending, leaseUntil = :lease, userId = :u, journeyId = :j, version = :v, stepId = :s, channel = :c, updatedAt = :now, expiresAt = :exp ADD attempts :one',
          ConditionExpression: 'attribute_not_exists(deliveryId) OR #status IN (:deferred, :failed)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':deferred': 'deferred',
            ':failed': 'failed',
            ':lease': now.getTime() + leaseMs,
            ':u': meta.userId,
            ':j': meta.journeyId,
            ':v': meta.version,
            ':s': meta.stepId,
            ':c': meta.channel,
            ':now': now.toISOString(),
            ':exp': Math.floor(now.getTime() / 1000) + RETENTION_SECONDS,
            ':one': 1,
          },
        }),
      );
      return { kind: 'claimed' };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { deliveryId }, ConsistentRead: true }),
    );
    const item = DeliveryItem.safeParse(out.Item);
    if (!item.success) return { kind: 'unknown' };
    if (item.data.output != null && item.data.status !== 'sending')
      return { kind: 'done', output: item.data.output };
    return (item.data.leaseUntil ?? 0) > now.getTime() ? { kind: 'busy' } : { kind: 'unknown' };
  }

  /** Records the outcome of a claimed delivery. */
  async settle(
    deliveryId: string,
    status: 'sent' | 'suppressed' | 'deferred' | 'failed',
    output: SendMessageOutput | undefined,
    now: Date,
    detail?: string,
  ): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { deliveryId },
        UpdateExpression:
          'SET #status = :status, updatedAt = :now, #output = :output, detail = :detail REMOVE leaseUntil',
        ExpressionAttributeNames: { '#status': 'status', '#output': 'output' },
        ExpressionAttributeValues: {
          ':status': status,
          ':now': now.toISOString(),
          ':output': output ?? null,
          ':detail': detail ?? null,
        },
      }),
    );
  }

  /** Links a provider message id to the delivery, for feedback events. */
  async linkMessage(messageId: string, deliveryId: string, meta: DeliveryMeta, now: Date): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          deliveryId: `msg#${messageId}`,
          target: deliveryId,
          ...meta,
          expiresAt: Math.floor(now.getTime() / 1000) + RETENTION_SECONDS,
        },
      }),
    );
  }

  /** Records that a feedback outcome was counted for a message; false when it already was. */
  async markFeedback(messageId: string, outcome: string, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            deliveryId: `fb#${messageId}#${outcome}`,
            at: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(deliveryId)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** The delivery a provider message id belongs to. */
  async byMessage(messageId: string): Promise<(DeliveryMeta & { deliveryId: string }) | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { deliveryId: `msg#${messageId}` } }),
    );
    const parsed = DeliveryMeta.extend({ target: z.string() }).safeParse(out.Item);
    if (!parsed.success) return undefined;
    const { target, ...meta } = parsed.data;
    return { ...meta, deliveryId: target };
  }
}
