import { patchDynaliteDb } from './dynalite-files.ts';

/** An attribute value as dynalite stores it (the wire format: `{ S: '…' }`, `{ M: {…} }`, …). */
type AttributeValue = Readonly<Record<string, unknown>>;
type ItemSize = (item: Readonly<Record<string, AttributeValue>>, ...rest: unknown[]) => number;
type DbModule = { itemSize: ItemSize };

/** Per copy of dynalite (its main file): whether it measures items in UTF-8. */
const installed = new Map<string, boolean>();

/**
 * DynamoDB measures strings and attribute names in UTF-8 bytes; dynalite 4
 * counts their UTF-16 units, so a local table kept items of non-Latin text
 * up to three times larger than DynamoDB accepts (a profile that works
 * locally and is refused in AWS). From here on the size dynalite checks
 * against the 400 KB limit (put, update, batch write) adds each string's and
 * name's bytes beyond its units. Returns whether dynalite's files were where
 * this expects them.
 */
export function measureItemsInUtf8(dynaliteMain?: string): boolean {
  return patchDynaliteDb(installed, isDbModule, addUtf8Bytes, dynaliteMain);
}

function addUtf8Bytes(module: DbModule): void {
  const itemSize = module.itemSize;
  module.itemSize = (item, ...rest) => itemSize(item, ...rest) + extraBytesOfItem(item);
}

function isDbModule(module: unknown): module is DbModule {
  return (
    typeof module === 'object' && module !== null && typeof Reflect.get(module, 'itemSize') === 'function'
  );
}

/** The UTF-8 bytes of `text` beyond its UTF-16 units. */
function extraBytes(text: string): number {
  return Buffer.byteLength(text, 'utf8') - text.length;
}

function extraBytesOfItem(item: Readonly<Record<string, unknown>>): number {
  let extra = 0;
  for (const [name, value] of Object.entries(item)) extra += extraBytes(name) + extraBytesOfValue(value);
  return extra;
}

function extraBytesOfValue(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const [type, inner] = Object.entries(value)[0] ?? [];
  if (type === 'S' && typeof inner === 'string') return extraBytes(inner);
  if (type === 'SS' && Array.isArray(inner))
    return inner.reduce((sum: number, text) => sum + (typeof text === 'string' ? extraBytes(text) : 0), 0);
  if (type === 'L' && Array.isArray(inner))
    return inner.reduce((sum: number, element) => sum + extraBytesOfValue(element), 0);
  if (type === 'M' && typeof inner === 'object' && inner !== null)
    return extraBytesOfItem(inner as Readonly<Record<string, unknown>>);
  return 0;
}
