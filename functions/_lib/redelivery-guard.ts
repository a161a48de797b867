import { hex128 } from '#shared/hash.ts';
import type { UpdateBuilder } from './expression.ts';

/**
 * The redelivery guard: digests of the customer's most recent message ids,
 * so that a redelivered event is recognised exactly and counted once.
 *
 * Two lists: the event's write appends its digest to `rm` (no read: it is
 * part of the write the event makes anyway), on the condition that neither
 * list holds it. When `rm` reaches GUARD_TURN digests, one more write turns
 * the guard (`rmp` takes `rm`, which starts again): one extra write every
 * GUARD_TURN events. The two lists hold the last GUARD_TURN to
 * 2 × GUARD_TURN − 1 digests, so a redelivery is always recognised while
 * fewer than GUARD_TURN later events of the customer have arrived.
 *
 * A digest is the message id's hash cut to 52 bits, stored as a number:
 * exact in DynamoDB and in JavaScript, and compared as a number by every
 * DynamoDB (about 10 bytes in a list). Two ids among the ~64 held meet by
 * chance about once in 7 × 10¹³ events.
 */

/** Digests `rm` takes before the guard turns. */
export const GUARD_TURN = 32;
/**
 * Digests `rm` may hold at most: events that arrive together may each add
 * one before a turn lands; past it the event's write turns the guard first.
 */
const GUARD_CAP = 2 * GUARD_TURN;

const RECENT = 'rm';
const EARLIER = 'rmp';

/** The guard's attributes, for code that reads or moves items. */
export const GUARD_ATTRIBUTES = { recent: RECENT, earlier: EARLIER } as const;

/** The 52-bit digest of a message id the guard keeps. */
export function messageDigest(messageId: string): number {
  return digestOfHex(hex128(messageId));
}

/** The digest of a message id from its hex128 (or the first 13 hex digits of it). */
export function digestOfHex(hex: string): number {
  return Number.parseInt(hex.slice(0, 13), 16);
}

/**
 * Adds the event's digest to the write and returns its conditions: not a
 * redelivery of a recent event, and room in `rm`.
 */
export function guardEvent(b: UpdateBuilder, digest: number): string[] {
  const recent = b.name(RECENT);
  const earlier = b.name(EARLIER);
  const d = b.value(digest);
  b.append(RECENT, [digest]);
  return [
    `NOT contains(${recent}, ${d})`,
    `NOT contains(${earlier}, ${d})`,
    `(attribute_not_exists(${recent}) OR size(${recent}) < ${b.value(GUARD_CAP)})`,
  ];
}

function digests(item: Readonly<Record<string, unknown>> | undefined, key: string): unknown[] {
  const value = item?.[key];
  return Array.isArray(value) ? value : [];
}

/** True when the item's guard holds this digest: the event was applied already. */
export function holdsDigest(item: Readonly<Record<string, unknown>> | undefined, digest: number): boolean {
  return digests(item, RECENT).includes(digest) || digests(item, EARLIER).includes(digest);
}

/** True when `rm` holds GUARD_TURN digests or more: the guard turns. */
export function guardDue(item: Readonly<Record<string, unknown>> | undefined): boolean {
  return digests(item, RECENT).length >= GUARD_TURN;
}

/**
 * The turn: `rmp` takes `rm`, which starts again. On the condition that
 * `rm` is still due, so that of two turns at once only one drops digests;
 * digests appended meanwhile move with the others.
 */
export function turnGuard(b: UpdateBuilder): string {
  b.copy(EARLIER, RECENT);
  b.remove(RECENT);
  return `size(${b.name(RECENT)}) >= ${b.value(GUARD_TURN)}`;
}
