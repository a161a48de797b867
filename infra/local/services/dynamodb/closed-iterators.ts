import { Readable } from 'node:stream';
import { patchDynaliteDb } from './dynalite-files.ts';

/** What dynalite's streams read of an abstract-level iterator. */
type LevelIterator = { next(): Promise<unknown>; close(): Promise<void> };
/** dynalite's database (abstract-level with its callback wrappers): where its streams come from. */
type LevelDb = {
  keys(options?: unknown): LevelIterator;
  values(options?: unknown): LevelIterator;
  createKeyStream?: unknown;
  createValueStream?: unknown;
};
type Store = { db?: unknown };
type DbModule = { create: (options: unknown) => Store };

/** Per copy of dynalite (its main file): whether its stores' streams close their iterators. */
const installed = new Map<string, boolean>();

/**
 * dynalite 4 reads every Query, Scan, ListTables and table deletion through a
 * stream over an abstract-level iterator, and ends that stream without closing
 * the iterator (it calls `iterator.return()`, which abstract-level iterators do
 * not have). An iterator left open stays in the database's resources until it
 * closes, and holds a snapshot: on disk, LevelDB keeps every table file that
 * snapshot can see (obsolete ones are never deleted: the folder grows with
 * every write, not with the data), and in memory it pins memtables, table
 * readers or, with memory-level, every old version of the tree. From here on
 * the stores dynalite creates stream through {@link iteratorStream}, which
 * closes its iterator when the stream ends or is destroyed. `dynaliteMain`
 * names another copy of dynalite (tests). Returns whether the streams are
 * replaced (false when dynalite's files are not where this expects them).
 */
export function closeDynaliteIterators(dynaliteMain?: string): boolean {
  return patchDynaliteDb(installed, isDbModule, streamThroughClosingIterators, dynaliteMain);
}

function streamThroughClosingIterators(module: DbModule): void {
  const create = module.create;
  module.create = (options) => {
    const store = create(options);
    if (isLevelDb(store.db)) replaceStreams(store.db);
    return store;
  };
}

function replaceStreams(db: LevelDb): void {
  db.createKeyStream = (options?: unknown) => iteratorStream(db.keys(options));
  db.createValueStream = (options?: unknown) => iteratorStream(db.values(options));
}

/**
 * A readable stream of what `iterator` yields, which closes the iterator once:
 * at its end (streams destroy themselves after 'end'), on an error, or when a
 * reader destroys it early.
 */
export function iteratorStream(iterator: LevelIterator): Readable {
  return new Readable({
    objectMode: true,
    read() {
      iterator.next().then(
        (value) => this.push(value === undefined ? null : value),
        (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    },
    destroy(error, callback) {
      iterator.close().then(
        () => callback(error),
        (closing: unknown) =>
          callback(error ?? (closing instanceof Error ? closing : new Error(String(closing)))),
      );
    },
  });
}

function isDbModule(value: unknown): value is DbModule {
  return typeof value === 'object' && value !== null && typeof (value as DbModule).create === 'function';
}

function isLevelDb(value: unknown): value is LevelDb {
  if (typeof value !== 'object' || value === null) return false;
  const db = value as LevelDb;
  return typeof db.keys === 'function' && typeof db.values === 'function';
}
