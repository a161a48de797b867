import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSize } from '#functions/_lib/profile-compaction.ts';
import type { LocalRuntime } from '#infra/local/index.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { deployKeys } from '#infra/local/runtime/deploys.ts';
import { localTableName } from '#infra/local/services/dynamodb/dynalite.ts';
import { deleteExpired } from '#infra/local/services/dynamodb/ttl.ts';
import { TABLES, type TableDefinition } from '#shared/tables.ts';
import { STORED_ITEMS, type StoredItemKind } from '../support/stored-items.ts';
import {
  addTextJourney,
  FAILING_ADDRESSES,
  LIFE_MARKS,
  lifeMarks,
  stopRunning,
  TEXT_EVENT,
  useUnsubscribeLinks,
} from './support/customer-life.ts';
import {
  boot,
  type CustomerEvent,
  E2E_TIMEOUT,
  identify,
  putEvents,
  type Sandbox,
  sandbox,
  track,
} from './support/local-runtime.ts';

/**
 * The first rule of what is stored: nothing grows with history, and what has
 * a lifetime expires. A varied run — every project journey, many event names
 * and traits per customer, exits, goals, re-entries, entry limits, timeouts,
 * a journey redeployed and one archived, segment runs over weeks, provider
 * failures (bounce, complaint, unreachable and opted-out numbers, a dead push
 * token), unsubscribe links, executions stopped by hand — leaves
 * only items of a documented kind (test/support/stored-items.ts), each within
 * its size, and each that has a lifetime with a TTL in seconds within it.
 */

const DAY_MS = 86_400_000;
const REACHED = [
  'profile',
  'enrollment',
  're-entry record',
  'delivery record',
  'message link',
  'feedback record',
  'version and step counters',
  'day counters',
  'experiment counters',
  'segment run',
  'pinned template snapshot',
].sort();
const CUSTOMERS = ['ada', 'bo', 'cy', 'di'];
let box: Sandbox;
let runtime: LocalRuntime;
/** What the run left, read once: every test below checks one rule against it. */
let run: { stored: Stored[]; nowSeconds: number; stopped: number };

beforeAll(async () => {
  box = await sandbox();
  await addTextJourney(box.journeysDir);
  runtime = await boot(box, { inMemory: true });
  const { stopped } = await liveVariedLife();
  const stored = await storedItems();
  run = { stored, nowSeconds: Math.floor(runtime.services.clock.nowMs() / 1000), stopped };
}, E2E_TIMEOUT);
afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

/** One day of a customer's events: new traits and event names every day, carts, orders, exits. */
function dayOf(userId: string, i: number, day: number): CustomerEvent[] {
  const { token, ...failing } = FAILING_ADDRESSES.get(userId) ?? {};
  const reachable = identify(userId, 'Etc/GMT');
  const base =
    token === undefined ? reachable : { ...reachable, context: { device: { token, type: 'android' } } };
  const known = { ...(base.traits as Record<string, unknown>), ...failing };
  const traits = Object.fromEntries(Array.from({ length: 2 }, (_, k) => [`trait ${day}-${k}`, `v${k}`]));
  const renewal = new Date(runtime.services.clock.nowMs() + 7 * DAY_MS).toISOString();
  const order = `o-${userId}-${day}`;
  return [
    {
      ...base,
      traits: { ...known, ...traits, accountType: 'personal', plan: 'plus', renewalDate: renewal },
    },
    ...Array.from({ length: 2 }, (_, k) => track(userId, `Event ${day}-${k}`, { k })),
    track(userId, 'Cart Updated', { cartId: `c-${userId}-${day}`, total: 40 + i }),
    track(userId, 'Cart Updated', { cartId: `c-${userId}-${day}-b`, total: 25 }),
    track(userId, 'Signed Up', { plan: 'teams-trial' }),
    track(userId, 'Project Created', { kind: 'calendar' }),
    track(userId, 'App Opened', {}),
    ...(day === 1 ? [] : [track(userId, TEXT_EVENT, {})]),
    track(userId, 'Order Shipped', { orderId: order, trackingUrl: 'https://t.example/1' }),
    ...(i % 2 === 0
      ? [track(userId, 'Cart Emptied', {}), track(userId, 'Order Completed', { orderId: order, total: 30 })]
      : []),
    ...(i % 3 === 1
      ? [track(userId, 'Review Submitted', {}), track(userId, 'Subscription Cancelled', {})]
      : []),
    ...(i === CUSTOMERS.length - 1 && day === 1 ? [track(userId, 'Account Deleted', {})] : []),
  ];
}

async function redeployEdited(): Promise<void> {
  const edit = async (file: string, change: (journey: Record<string, unknown>) => void) => {
    const path = join(box.journeysDir, file);
    const journey = JSON.parse(await readFile(path, 'utf8'));
    change(journey);
    await writeFile(path, JSON.stringify(journey, null, 2));
  };
  await edit('cart-abandonment.json', (j) => {
    j.description = `${String(j.description)} Edited.`;
    j.reentry = { mode: 'after', cooldown: 'PT12H' };
  });
  await edit('holiday-deadline.json', (j) => {
    j.status = 'archived';
  });
  // Its segment runs weekly from now on: still weeks of runs, each checked as a daily one would be.
  await edit('renewal-reminder.json', (j) => {
    (j.trigger as Record<string, unknown>).schedule = 'rate(7 days)';
  });
  // Only the edited files are announced, as S3 announces a marketer's uploads.
  await deployKeys(runtime.services.bus, box, [
    'journeys/cart-abandonment.json',
    'journeys/holiday-deadline.json',
    'journeys/renewal-reminder.json',
  ]);
}

type Stored = { table: string; key: string; item: Record<string, unknown>; bytes: number };

async function storedItems(): Promise<Stored[]> {
  const client = new DynamoDBClient(localClientConfig(runtime.endpoints.dynamodb));
  const stored: Stored[] = [];
  try {
    await deleteExpired(client, runtime.services.clock.nowMs() / 1000);
    for (const table of TABLES as readonly TableDefinition[]) {
      for await (const page of paginateScan({ client }, { TableName: localTableName(table) })) {
        for (const raw of page.Items ?? []) {
          const item = unmarshall(raw);
          const sort = table.sortKey === undefined ? '' : `|${String(item[table.sortKey.name])}`;
          const key = `${String(item[table.partitionKey.name])}${sort}`;
          stored.push({ table: table.id, key, item, bytes: itemSize(item) });
        }
      }
    }
  } finally {
    client.destroy();
  }
  return stored;
}

/**
 * The varied life: two days of varied events (some to addresses that bounce, complain, fail or are
 * dead), a redeploy (a journey edited, one archived, the daily segment made weekly), a third day,
 * unsubscribe links used, executions stopped by hand, then six weeks idle (weeks of segment runs,
 * whose first ones expire; the re-engagement journey's thirty days without the app). Weekly, the
 * renewal segment's runs after its members entered cost a seventh of daily ones and leave the same
 * kinds of items and the same life: its daily runs were about a quarter of the whole run's CPU.
 */
async function liveVariedLife(): Promise<{ stopped: number }> {
  for (let day = 0; day < 3; day += 1) {
    if (day === 2) await redeployEdited();
    await putEvents(
      runtime,
      CUSTOMERS.flatMap((userId, i) => dayOf(userId, i, day)),
    );
    await runtime.advanceTo(runtime.services.clock.nowMs() + DAY_MS);
  }
  await useUnsubscribeLinks(runtime);
  const stopped = await stopRunning(runtime, 'order-shipped', 'bo');
  await runtime.advanceTo(runtime.services.clock.nowMs() + 42 * DAY_MS);
  return { stopped };
}

/** The one documented kind a stored item's table and key name, or why there is not exactly one. */
function kindOf(stored: Stored): StoredItemKind | string {
  const kinds = STORED_ITEMS.filter((k) => k.table === stored.table && k.key.test(stored.key));
  const [kind] = kinds;
  return kind !== undefined && kinds.length === 1 ? kind : `${kinds.length} documented kinds`;
}

function sizeProblem(stored: Stored, kind: StoredItemKind): string | undefined {
  return stored.bytes > kind.maxBytes ? `${stored.bytes} B, over ${kind.maxBytes} B` : undefined;
}

/** Whether an item carries `expiresAt` as its kind says: always, never, or either. */
function ttlProblem(stored: Stored, kind: StoredItemKind): string | undefined {
  const { expiresAt } = stored.item;
  if (expiresAt === undefined) return kind.ttl === 'always' ? 'no expiresAt' : undefined;
  if (kind.ttl === 'never') return 'expiresAt on an item kept for good';
  if (typeof expiresAt !== 'number' || !Number.isInteger(expiresAt))
    return `expiresAt ${String(expiresAt)} is not epoch seconds`;
  return undefined;
}

function lifetimeProblem(stored: Stored, kind: StoredItemKind, nowSeconds: number): string | undefined {
  const { expiresAt } = stored.item;
  if (typeof expiresAt !== 'number') return undefined;
  // Swept already: an item still here expires after now.
  if (expiresAt < nowSeconds) return 'expired, not deleted';
  if (expiresAt > nowSeconds + (kind.lifetimeSeconds ?? 0))
    return `expires ${((expiresAt - nowSeconds) / 86_400).toFixed(0)} days ahead, past its lifetime`;
  return undefined;
}

/**
 * The problems `check` finds among the items of a documented kind, one line per problem (table,
 * kind and problem) with an example key and how many items share it.
 */
function problems(check: (stored: Stored, kind: StoredItemKind) => string | undefined) {
  const wrong = new Map<string, { example: string; items: number }>();
  for (const s of run.stored) {
    const kind = kindOf(s);
    if (typeof kind === 'string') continue;
    const found = check(s, kind);
    if (found === undefined) continue;
    const line = `${s.table}: ${kind.kind}: ${found}`;
    const seen = wrong.get(line) ?? { example: s.key, items: 0 };
    wrong.set(line, { ...seen, items: seen.items + 1 });
  }
  return Object.fromEntries(wrong);
}

describe('every item a varied run leaves', () => {
  it('is of exactly one documented kind', () => {
    const undocumented = run.stored.flatMap((s) => {
      const kind = kindOf(s);
      return typeof kind === 'string' ? [`${s.table} ${s.key}: ${kind}`] : [];
    });
    expect(undocumented).toEqual([]);
  });

  it("is within its kind's size", () => {
    expect(problems(sizeProblem)).toEqual({});
  });

  it('carries expiresAt in epoch seconds when its kind expires, and none when it is kept for good', () => {
    expect(problems(ttlProblem)).toEqual({});
  });

  it("expires within its kind's lifetime, and is swept once expired", () => {
    expect(problems((s, kind) => lifetimeProblem(s, kind, run.nowSeconds))).toEqual({});
  });

  it('includes the kinds whose lifetimes matter most', () => {
    // Entry-limit records are not among them: they expired a window after their last entry.
    const kinds = new Set(
      run.stored.map((s) => kindOf(s)).flatMap((k) => (typeof k === 'string' ? [] : [k.kind])),
    );
    expect([...kinds].sort()).toEqual(expect.arrayContaining(REACHED));
  });
});

describe('the varied run', () => {
  it('stopped executions by hand', () => {
    expect(run.stopped).toBeGreaterThan(0);
  });

  it('left the marks of failures and unsubscribe links on the profiles', async () => {
    expect(await lifeMarks()).toEqual(LIFE_MARKS);
  });

  it('recorded every kind of delivery outcome', () => {
    const feedback = run.stored.filter((s) => s.table === 'deliveries' && s.key.startsWith('fb#'));
    const outcomes = new Set(feedback.map((s) => s.key.slice(s.key.lastIndexOf('#') + 1)));
    expect([...outcomes].sort()).toEqual(['bounced', 'complained', 'delivered', 'failed']);
  });
});
