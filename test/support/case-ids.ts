import { createHash } from 'node:crypto';
import { TestRunner } from 'vitest';

/**
 * Ids a test names what it sends and stores by (message ids, customers,
 * journeys), the same on every run whatever ran before it.
 *
 * Test files share their worker's module cache (vitest.config.ts), so a
 * counter kept by a support module numbers a file's ids by the files that ran
 * before it in the worker — and a file's own counter numbers a test's by the
 * tests that ran before it in the file. An id is not inert: a trigger's
 * message id names the enrollment, whose digest picks the stats shard its
 * counts land on, and whether that shard's item exists yet decides the
 * requests a handler makes, so the crash points a file finds. Each test
 * numbers its own ids instead, under a digest of its Vitest id (its file,
 * project and place in the file); the file's collection and hooks number
 * theirs under the file's. A retried test goes on from its last id.
 */
type Owner = { readonly id: string };

const taken = new WeakMap<Owner, number>();

/** Scripts run outside Vitest (benches): one numbering for the process. */
const OUTSIDE: Owner = { id: 'outside' };

function owner(): Owner {
  const test = TestRunner.getCurrentTest();
  if (test !== undefined) return test;
  // Outside a test: the file being collected, or whose hooks run (Vitest runs one file at a time in a worker).
  return process.env.VITEST === undefined ? OUTSIDE : TestRunner.getCurrentSuite().file;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** The next id of the running test (or of its file, outside a test): `<prefix>-<digest>-<n>`. */
export function caseId(prefix: string): string {
  const current = owner();
  const n = (taken.get(current) ?? 0) + 1;
  taken.set(current, n);
  return `${prefix}-${digest(current.id)}-${n}`;
}
