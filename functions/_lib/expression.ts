import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { UNMARSHALL_OPTIONS } from './clients/dynamo.ts';

/**
 * Placeholder texts by number, each made once: a profile write names dozens,
 * and the same text object used again is a key the engine has already
 * looked up, where one built anew is looked up again in every map it is set in.
 */
const NAME_PLACEHOLDERS: string[] = [];
const VALUE_PLACEHOLDERS: string[] = [];
const KEPT_PLACEHOLDERS = 512;

function placeholder(kept: string[], prefix: string, n: number): string {
  if (n >= KEPT_PLACEHOLDERS) return `${prefix}${n}`;
  let text = kept[n];
  if (text === undefined) {
    for (let i = kept.length; i <= n; i++) kept.push(`${prefix}${i}`);
    text = kept[n] ?? `${prefix}${n}`;
  }
  return text;
}

/**
 * A small builder for DynamoDB update expressions: placeholders for names and
 * values are generated, so attribute names with any characters (trait names,
 * event names) are safe.
 */
export class UpdateBuilder {
  private readonly sets: string[] = [];
  private readonly adds: string[] = [];
  private readonly removes: string[] = [];
  private readonly deletes: string[] = [];
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  /** Attribute → its placeholder: attribute names are customer data, never object keys. */
  private readonly placeholders = new Map<string, string>();
  private counter = 0;
  /** Values given placeholders (names are counted by `placeholders`). */
  private valueCount = 0;

  /** The placeholder of an attribute name. */
  name(attribute: string): string {
    const existing = this.placeholders.get(attribute);
    if (existing !== undefined) return existing;
    const key = placeholder(NAME_PLACEHOLDERS, '#n', this.counter++);
    this.names[key] = attribute;
    this.placeholders.set(attribute, key);
    return key;
  }

  /** The placeholder of a value. */
  value(value: unknown): string {
    const key = placeholder(VALUE_PLACEHOLDERS, ':v', this.counter++);
    this.values[key] = value;
    this.valueCount += 1;
    return key;
  }

  set(attribute: string, value: unknown): this {
    this.sets.push(`${this.name(attribute)} = ${this.value(value)}`);
    return this;
  }

  /** Sets the attribute only when it has no value yet. */
  setIfAbsent(attribute: string, value: unknown): this {
    const n = this.name(attribute);
    this.sets.push(`${n} = if_not_exists(${n}, ${this.value(value)})`);
    return this;
  }

  /** Adds `amount` to a number that starts from `start` when absent (ADD always starts from 0). */
  addFrom(attribute: string, start: number | bigint, amount: number): this {
    const n = this.name(attribute);
    this.sets.push(`${n} = if_not_exists(${n}, ${this.value(start)}) + ${this.value(amount)}`);
    return this;
  }

  /** Adds to a number, or adds elements to a set. */
  add(attribute: string, amount: number | ReadonlySet<string>): this {
    this.adds.push(`${this.name(attribute)} ${this.value(amount)}`);
    return this;
  }

  /** Appends items to a list, which starts empty when absent. */
  append(attribute: string, items: readonly unknown[]): this {
    const n = this.name(attribute);
    this.sets.push(`${n} = list_append(if_not_exists(${n}, ${this.value([])}), ${this.value(items)})`);
    return this;
  }

  /** Sets an attribute to another one's value (as it was before this write). */
  copy(attribute: string, from: string): this {
    this.sets.push(`${this.name(attribute)} = ${this.name(from)}`);
    return this;
  }

  /** Takes elements out of a set (DynamoDB drops a set left empty; a missing element is no error). */
  deleteFrom(attribute: string, elements: ReadonlySet<string>): this {
    this.deletes.push(`${this.name(attribute)} ${this.value(elements)}`);
    return this;
  }

  remove(attribute: string): this {
    this.removes.push(this.name(attribute));
    return this;
  }

  /** The UpdateExpression text. */
  expression(): string {
    const parts: string[] = [];
    if (this.sets.length > 0) parts.push(`SET ${this.sets.join(', ')}`);
    if (this.adds.length > 0) parts.push(`ADD ${this.adds.join(', ')}`);
    if (this.removes.length > 0) parts.push(`REMOVE ${this.removes.join(', ')}`);
    if (this.deletes.length > 0) parts.push(`DELETE ${this.deletes.join(', ')}`);
    return parts.join(' ');
  }

  /** Names and values for the request, omitting empty maps (DynamoDB rejects them). */
  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    return {
      // Counted as they are made: listing the keys of a profile update's dozens cost more than the rest.
      ...(this.placeholders.size > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(this.valueCount > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/**
 * The item a refused conditional write saw, when the write asked for it
 * (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`) and the store returned
 * it: what a read right after the refusal would give, without the read.
 * `undefined` when there was no item, or the store does not return it
 * (dynalite accepts the parameter and never does): the caller reads then.
 */
export function refusedItem(error: unknown): Record<string, unknown> | undefined {
  if (!isConditionFailed(error) || typeof error !== 'object' || error === null || !('Item' in error))
    return undefined;
  // The error is the low-level client's: its item is in attribute values, as DynamoDB sends it.
  return isAttributeMap(error.Item) ? unmarshall(error.Item, { ...UNMARSHALL_OPTIONS }) : undefined;
}

function isAttributeMap(value: unknown): value is Record<string, AttributeValue> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'object' && v !== null)
  );
}

/** True when a DynamoDB call failed only because its condition was false. */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
