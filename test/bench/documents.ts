import { marshall } from '@aws-sdk/util-dynamodb';
import { MARSHALL_OPTIONS } from '#functions/_lib/clients/dynamo.ts';
import { storableCommandInput } from '#functions/_lib/clients/dynamo-documents.ts';

/**
 * What making documents storable costs the document client per request,
 * beside the SDK's own marshalling of the same values: CPU per call for an
 * ingest-sized profile update with ordinary keys (nothing to convert, the
 * usual case) and with keys named like prototype members at several depths.
 */

const ROUNDS = 20_000;

/** An update of ingest's shape: a few dozen attribute values, traits and an event snapshot among them. */
function profileUpdate(keyOf: (i: number) => string) {
  const values: Record<string, unknown> = {};
  for (let i = 0; i < 30; i++) values[`:v${i}`] = i % 3 === 0 ? `value ${i}` : i;
  values[':traits'] = { [keyOf(0)]: { [keyOf(1)]: [1, { [keyOf(2)]: 'x' }] }, plan: 'pro' };
  values[':snapshot'] = { messageId: 'm-1', properties: { [keyOf(3)]: { name: 'String' }, total: 42.5 } };
  return {
    TableName: 'profiles',
    Key: { userId: 'u-1' },
    UpdateExpression: 'SET …',
    ExpressionAttributeNames: { '#n0': 't:plan' },
    ExpressionAttributeValues: values,
  };
}

function microsPerCall(run: () => unknown): number {
  for (let i = 0; i < 1_000; i++) run();
  const start = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ROUNDS;
}

export function runDocumentsBench(): void {
  const SPECIAL = ['constructor', 'prototype', 'toString', 'constructor'];
  const cases: [string, ReturnType<typeof profileUpdate>][] = [
    ['ordinary keys', profileUpdate((i) => `key${i}`)],
    ['keys named like prototype members', profileUpdate((i) => SPECIAL[i] ?? 'x')],
  ];
  console.log('Storable documents: CPU per request (µs), beside the SDK marshalling the same values');
  console.log('input                                  storable   marshall');
  for (const [name, input] of cases) {
    const storable = microsPerCall(() => storableCommandInput(input));
    const converted = storableCommandInput(input).ExpressionAttributeValues;
    const marshalled = microsPerCall(() => {
      for (const value of Object.values(converted))
        marshall(value, { ...MARSHALL_OPTIONS, convertTopLevelContainer: true });
    });
    console.log(
      `${name.padEnd(38)} ${storable.toFixed(2).padStart(8)} ${marshalled.toFixed(2).padStart(10)}`,
    );
  }
}
