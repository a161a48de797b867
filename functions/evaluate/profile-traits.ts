import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { profileTraitAttribute } from '#shared/tables.ts';
import type { ProfileUpdateInput } from '#shared/tasks.ts';

/** What an `updateProfile` step changes, trait names as data. */
export type TraitChanges = Pick<ProfileUpdateInput, 'set' | 'increment' | 'unset'>;

/**
 * The last step visit applied to the profile (enrollment, step, entry time):
 * one attribute, overwritten by each update, so a retried invocation of the
 * same visit does not increment twice.
 */
const LAST_UPDATE = 'stepUpdate';

/** The outcome: traits that were not incremented because they hold something other than a number. */
export type TraitUpdate = { notNumbers: { trait: string; holds: string }[] };

/** Attempts before giving up on a profile whose increment targets keep changing type. */
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

/**
 * Profile traits written by `updateProfile` steps, as `t:<trait>` attributes
 * (shared/tables.ts). Values keep their JSON type — the document client
 * stores a number as N, a boolean as BOOL, a list as L — so later numeric
 * conditions compare numbers.
 */
export class ProfileTraits {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Applies the changes of one step visit in one conditional write, once: a
   * retried invocation of a visit already applied changes nothing. An
   * increment of a trait that holds something other than a number would make
   * DynamoDB refuse the whole update, losing the step's set and unset: such
   * traits are left alone, the rest is applied, and they are returned.
   */
  async apply(userId: string, visit: string, changes: TraitChanges): Promise<TraitUpdate> {
    const skipped = new Map<string, string>();
    for (let attempt = 1; ; attempt++) {
      const increments = changes.increment.filter((i) => !skipped.has(i.trait));
      try {
        await this.write(userId, visit, { ...changes, increment: increments });
        return { notNumbers: [...skipped].map(([trait, holds]) => ({ trait, holds })) };
      } catch (error) {
        if (!isConditionFailed(error) || attempt === ATTEMPTS) throw error;
      }
      const current = await this.current(
        userId,
        increments.map((i) => i.trait),
      );
      const notNumbers = () => [...skipped].map(([trait, holds]) => ({ trait, holds }));
      if (current.lastVisit === visit) return { notNumbers: notNumbers() };
      for (const [trait, value] of current.traits) {
        if (typeof value !== 'number' && value !== undefined) skipped.set(trait, describeValue(value));
      }
    }
  }

  private async write(userId: string, visit: string, changes: TraitChanges): Promise<void> {
    // Applied once per visit: a retry of a visit already written fails the check, and `apply` sees why.
    const names: Record<string, string> = { '#last': LAST_UPDATE };
    const values: Record<string, unknown> = { ':visit': visit };
    const clauses = { SET: ['#last = :visit'], ADD: [] as string[], REMOVE: [] as string[] };
    const conditions: string[] = ['(attribute_not_exists(#last) OR #last <> :visit)'];
    changes.set.forEach(({ trait, value }, i) => {
      if (value === undefined) return;
      names[`#s${i}`] = profileTraitAttribute(trait);
      values[`:s${i}`] = value;
      clauses.SET.push(`#s${i} = :s${i}`);
    });
    changes.increment.forEach(({ trait, by }, i) => {
      names[`#i${i}`] = profileTraitAttribute(trait);
      values[`:i${i}`] = by;
      clauses.ADD.push(`#i${i} :i${i}`);
      // ADD on a non-number fails the whole update: let the check fail instead, and learn which.
      conditions.push(`(attribute_not_exists(#i${i}) OR attribute_type(#i${i}, :number))`);
    });
    changes.unset.forEach((trait, i) => {
      names[`#u${i}`] = profileTraitAttribute(trait);
      clauses.REMOVE.push(`#u${i}`);
    });
    const expression = (['SET', 'ADD', 'REMOVE'] as const)
      .filter((k) => clauses[k].length > 0)
      .map((k) => `${k} ${clauses[k].join(', ')}`)
      .join(' ');
    if (changes.increment.length > 0) values[':number'] = 'N';
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { userId },
        UpdateExpression: expression,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** The current values of some traits, and the last visit applied. */
  private async current(
    userId: string,
    traits: string[],
  ): Promise<{ traits: Map<string, unknown>; lastVisit: unknown }> {
    const names = Object.fromEntries([
      ...traits.map((trait, i) => [`#t${i}`, profileTraitAttribute(trait)]),
      ['#last', LAST_UPDATE],
    ]);
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { userId },
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
        ConsistentRead: true,
      }),
    );
    const item = new Map(Object.entries(Item ?? {}));
    return {
      traits: new Map(traits.map((trait) => [trait, item.get(profileTraitAttribute(trait))])),
      lastVisit: item.get(LAST_UPDATE),
    };
  }
}
