import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * The size DynamoDB bills for an item, by its documented rules: attribute
 * names and string/binary values by their UTF-8 bytes, numbers about one byte
 * per two significant digits plus one, 3 bytes of overhead per map or list
 * plus one per element.
 */
export function itemSizeBytes(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function numberSize(n: string): number {
  const digits = n.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((a, s) => a + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((a, n) => a + numberSize(n), 0);
  if (value.L !== undefined) return 3 + value.L.reduce((a, v) => a + 1 + valueSize(v), 0);
  if (value.M !== undefined) {
    return 3 + Object.entries(value.M).reduce((a, [k, v]) => a + 1 + Buffer.byteLength(k) + valueSize(v), 0);
  }
  return 0;
}
