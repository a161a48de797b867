import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getItem, updateItem } from '#functions/_lib/clients/document-calls.ts';
import { UpdateBuilder } from '#functions/_lib/expression.ts';
import { attr, traitsOf } from '#functions/_lib/profile-item.ts';
import { countedTraits, countTraits, isCountedTrait } from '#functions/_lib/profile-trait-count.ts';
import { exactlyStorableNumber, MAX_TRAITS_PER_PROFILE } from '#shared/ingest/limits.ts';
import { clearsWhenEmpty, isReservedTrait, reservedTraitProblem } from '#shared/ingest/reserved-traits.ts';
import { traitLimitProblem } from '#shared/ingest/trait-limits.ts';
import type { ProfileUpdateInput } from '#shared/tasks/evaluate.ts';

/** What an `updateProfile` step changes, trait names as data. */
export type TraitChanges = Pick<ProfileUpdateInput, 'set' | 'increment' | 'unset'>;

/**
 * The last step visit applied to the profile (enrollment, step, entry time):
 * one attribute, overwritten by each update, so a retried invocation of the
 * same visit does not increment twice.
 */
const LAST_UPDATE = 'stepUpdate';

/**
 * The outcome: traits not incremented because they hold something other than
 * a number, and traits not written because they do not fit the profile's
 * limits (too many traits, a value or name too large), each with the reason.
 */
export type TraitUpdate = {
  notNumbers: { trait: string; holds: string }[];
  rejected: { trait: string; reason: string }[];
};

/** Attempts before giving up on a profile that keeps changing under the step. */
const ATTEMPTS = 3;

function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** What a trait holds, by kind only: trait values may be personal data, and this ends up in logs. */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

type Plan = {
  changes: TraitChanges;
  /** Traits the write creates (counted into `tc`) and the existing ones it removes. */
  added: string[];
  removed: string[];
  known: ReadonlySet<string>;
  /** The profile as read: the count of traits is kept exact against it. */
  item: Readonly<Record<string, unknown>> | undefined;
  notNumbers: TraitUpdate['notNumbers'];
  rejected: TraitUpdate['rejected'];
};

/**
 * Decides what of the step fits the profile as it is: values and names within
 * the limits of shared/ingest/limits.ts, increments only of numbers, and new
 * traits only while the profile keeps at most MAX_TRAITS_PER_PROFILE (traits
 * the step removes make room first).
 */
function plan(changes: TraitChanges, item: Readonly<Record<string, unknown>> | undefined): Plan {
  const known = traitsOf(item);
  const rejected: Plan['rejected'] = [];
  const notNumbers: Plan['notNumbers'] = [];
  // The reserved traits always apply and are not counted (profile-trait-count.ts).
  const removed = [...new Set(changes.unset)].filter((trait) => known.has(trait) && isCountedTrait(trait));
  let room = MAX_TRAITS_PER_PROFILE - countedTraits(item).size + removed.length;
  const added: string[] = [];
  const fits = (trait: string, value: unknown): boolean => {
    const problem = traitLimitProblem(trait, value) ?? reservedTraitProblem(trait, value);
    if (problem !== undefined) rejected.push({ trait, reason: problem });
    else if (known.has(trait) || added.includes(trait) || !isCountedTrait(trait)) return true;
    else if (room <= 0)
      rejected.push({ trait, reason: `a profile keeps at most ${MAX_TRAITS_PER_PROFILE} traits` });
    else {
      room -= 1;
      added.push(trait);
      return true;
    }
    return false;
  };
  const set = changes.set.filter(({ trait, value }) => value === undefined || fits(trait, value));
  const increment = changes.increment.filter(({ trait, by }) => {
    const current = item?.[attr.trait(trait)];
    if (current !== undefined && typeof current !== 'number') {
      notNumbers.push({ trait, holds: describeValue(current) });
      return false;
    }
    // DynamoDB adds past 2^53 - 1 without a word, and such a total reads back as a BigInt.
    const total = (current ?? 0) + by;
    if (!exactlyStorableNumber(total)) {
      rejected.push({
        trait,
        reason: `${current ?? 0} + ${by} is ${total}, outside the numbers a trait keeps exactly (0, or 1e-130 to ${Number.MAX_SAFE_INTEGER} either way)`,
      });
      return false;
    }
    return fits(trait, by);
  });
  return {
    changes: { set, increment, unset: changes.unset },
    added,
    removed,
    known,
    item,
    notNumbers,
    rejected,
  };
}

/**
 * Profile traits written by `updateProfile` steps, as `t:<trait>` attributes
 * (shared/tables.ts). Values keep their JSON type — the document client
 * stores a number as N, a boolean as BOOL, a list as L — so later numeric
 * conditions compare numbers. They count toward the same limits as traits
 * from identify calls: what does not fit is left out, and `evaluate` fails
 * the step with the reasons so the journey's failure policy applies. The
 * reserved traits (email, phone, timezone, locale) are checked as ingest
 * checks them and also written where the profile keeps its address and zone.
 */
export class ProfileTraits {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Applies the changes of one step visit in one conditional write, once: a
   * retried invocation of a visit already applied changes nothing. The write
   * is planned on the profile as read, and its conditions hold it to that
   * reading (each trait known or new, an increment's target still a number,
   * the count of traits under the cap); when the profile changed meanwhile it
   * is read and planned again.
   */
  async apply(userId: string, visit: string, changes: TraitChanges): Promise<TraitUpdate> {
    for (let attempt = 1; ; attempt++) {
      const item = await this.item(userId);
      const planned = plan(changes, item);
      const outcome = { notNumbers: planned.notNumbers, rejected: planned.rejected };
      if (item?.[LAST_UPDATE] === visit) return outcome;
      try {
        await this.write(userId, visit, planned);
        return outcome;
      } catch (error) {
        if (!isConditionFailed(error) || attempt === ATTEMPTS) throw error;
      }
    }
  }

  private async write(userId: string, visit: string, planned: Plan): Promise<void> {
    const { changes, added, removed, known } = planned;
    const b = new UpdateBuilder().set(LAST_UPDATE, visit);
    const last = b.name(LAST_UPDATE);
    // Applied once per visit: a retry of a visit already written fails the check, and `apply` sees why.
    const conditions = [`(attribute_not_exists(${last}) OR ${last} <> ${b.value(visit)})`];
    const expect = (trait: string) => {
      const n = b.name(attr.trait(trait));
      conditions.push(known.has(trait) ? `attribute_exists(${n})` : `attribute_not_exists(${n})`);
    };
    for (const { trait, value } of changes.set) {
      if (value === undefined) continue;
      b.set(attr.trait(trait), value);
      expect(trait);
      // The address, zone or locale messages use, as an identify setting the same trait changes it.
      if (!isReservedTrait(trait)) continue;
      if (typeof value === 'string' && value !== '') b.set(trait, value);
      else if (clearsWhenEmpty(trait)) b.remove(trait);
    }
    for (const { trait, by } of changes.increment) {
      b.add(attr.trait(trait), by);
      expect(trait);
      // An increment of something that is not a number would fail the whole update.
      if (known.has(trait)) conditions.push(`attribute_type(${b.name(attr.trait(trait))}, ${b.value('N')})`);
    }
    for (const trait of changes.unset) {
      b.remove(attr.trait(trait));
      expect(trait);
      if (isReservedTrait(trait) && clearsWhenEmpty(trait)) b.remove(trait);
    }
    conditions.push(...countTraits(b, planned.item, added.length - removed.length, added.length > 0));
    await updateItem(this.db, {
      TableName: this.table,
      Key: { userId },
      UpdateExpression: b.expression(),
      ConditionExpression: conditions.join(' AND '),
      ...b.attributes(),
    });
  }

  /** The profile item, strongly consistent (a step acts on the freshest data). */
  private async item(userId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await getItem(this.db, { TableName: this.table, Key: { userId }, ConsistentRead: true });
    return Item;
  }
}
