import { createHash } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getItem, putItem, queryItems, updateItem } from '#functions/_lib/clients/document-calls.ts';
import { TemplateFailedError } from '#shared/errors.ts';
import { Template } from '#shared/templates.ts';
import * as z from '#shared/zod.ts';

/**
 * Templates pinned to journey versions. Deploy copies every template a
 * version uses into the journey registry under a content-addressed name
 * (`<name>@<digest>`, item `sk = "t#<name>@<digest>"` next to the version
 * items) and compiles that name into the version's definition. The state
 * machine version therefore names the exact template content: editing or
 * deleting a template in the bucket never changes the messages of
 * enrollments already running, and send-message reads no S3.
 *
 * A snapshot the live version pins has no expiry. Once no live version pins
 * it (a deploy with other content, the journey archived), it is kept for as
 * long as an execution of an earlier version can still run and send it — a
 * Standard execution lasts at most a year — and then expires (`expiresAt`).
 */
export type TemplateRef = { journeyId: string; name: string };

/** Where send-message finds a template. */
export interface TemplateSource {
  get(ref: TemplateRef): Promise<Template>;
}

function templateSk(pinnedName: string): string {
  return `t#${pinnedName}`;
}

/** The name a template's content is pinned under: the same content, the same name. */
export function pinnedName(name: string, template: Template): string {
  return `${name}@${createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 16)}`;
}

const PINNED_SUFFIX = /@[0-9a-f]{16}$/;

/** The template name a pinned name was made from (`cart-sms@0123456789abcdef` → `cart-sms`). */
export function unpinnedName(pinned: string): string {
  return pinned.replace(PINNED_SUFFIX, '');
}

const SnapshotItem = z.object({ template: z.string() });

/** How long a snapshot no live version pins is kept: a Standard execution's longest life (a year), and a day. */
export const RETIRED_SNAPSHOT_SECONDS = 367 * 86_400;

/** Snapshots are immutable, so the cache never goes stale; its size is bounded. */
const CACHE_LIMIT = 500;

export class TemplateSnapshots implements TemplateSource {
  private readonly cache = new Map<string, Promise<Template>>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  get(ref: TemplateRef): Promise<Template> {
    const key = `${ref.journeyId}\u0000${ref.name}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const loaded = this.load(ref);
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value ?? '');
    this.cache.set(key, loaded);
    loaded.catch(() => this.cache.delete(key));
    return loaded;
  }

  /** Pins templates for a journey (deploy, before compiling); returns name → pinned name. */
  async put(journeyId: string, templates: ReadonlyMap<string, Template>): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const [name, template] of templates) {
      const pinned = pinnedName(name, template);
      // Same name, same content: rewriting an existing snapshot changes nothing.
      await putItem(this.db, {
        TableName: this.table,
        Item: { journeyId, sk: templateSk(pinned), template: JSON.stringify(template) },
      });
      names.set(name, pinned);
    }
    return names;
  }

  /**
   * True when the journey's live version pins this exact template content. A
   * retired snapshot (an earlier version's, expiring) does not count: content
   * changed back to what an earlier version sent is deployed again.
   */
  async has(journeyId: string, pinned: string): Promise<boolean> {
    const out = await getItem(this.db, {
      TableName: this.table,
      Key: { journeyId, sk: templateSk(pinned) },
      ProjectionExpression: 'sk, expiresAt',
    });
    return out.Item !== undefined && out.Item.expiresAt === undefined;
  }

  /**
   * Gives every snapshot of the journey that `live` does not name an expiry:
   * executions of earlier versions may still send them for up to a year.
   * Snapshots already retired keep their expiry.
   */
  async retire(journeyId: string, live: ReadonlySet<string>, at: Date): Promise<void> {
    const expiresAt = Math.floor(at.getTime() / 1000) + RETIRED_SNAPSHOT_SECONDS;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await queryItems(this.db, {
        TableName: this.table,
        KeyConditionExpression: 'journeyId = :id AND begins_with(sk, :t)',
        FilterExpression: 'attribute_not_exists(expiresAt)',
        ExpressionAttributeValues: { ':id': journeyId, ':t': 't#' },
        ProjectionExpression: 'sk',
        ExclusiveStartKey: start,
      });
      for (const item of page.Items ?? []) {
        const sk = String(item.sk);
        if (live.has(sk.slice(2))) continue;
        await updateItem(this.db, {
          TableName: this.table,
          Key: { journeyId, sk },
          UpdateExpression: 'SET expiresAt = :at',
          // A deploy that pinned it again since the query keeps it live.
          ConditionExpression: 'attribute_exists(sk) AND attribute_not_exists(expiresAt)',
          ExpressionAttributeValues: { ':at': expiresAt },
        }).catch((error: unknown) => {
          if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
        });
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }

  private async load(ref: TemplateRef): Promise<Template> {
    const out = await getItem(this.db, {
      TableName: this.table,
      Key: { journeyId: ref.journeyId, sk: templateSk(ref.name) },
    });
    const item = SnapshotItem.safeParse(out.Item);
    if (!item.success) {
      throw new TemplateFailedError(
        `template ${ref.name} was not pinned by a deploy of journey ${ref.journeyId}`,
      );
    }
    const parsed = Template.safeParse(JSON.parse(item.data.template));
    if (!parsed.success) throw new TemplateFailedError(`template ${ref.name} snapshot is invalid`);
    return parsed.data;
  }
}
