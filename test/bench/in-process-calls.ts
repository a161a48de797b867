import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#functions/_lib/clients/dynamo.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { reuseResolvedHandlers } from '#infra/local/services/dynamodb/handler-cache.ts';
import { localDocumentClient } from '#infra/local/services/dynamodb/local-document-client.ts';
import { startDynalite } from '../support/dynalite.ts';

/**
 * CPU per call of a document client to dynalite in-process, as the local
 * runtime and the tests make them (a profile update returning the item, then
 * a read), with the SDK building each command's middleware per call and
 * with it built once per kind of command (handler-cache.ts). Dynalite's own
 * work is in both. `BENCH_IN_PROCESS_CALLS` (default 3000) pairs, each way
 * three times, alternating; and as the local document client makes them
(local-document-client.ts: built once, a fixed endpoint, no user agent).
 */
export async function runInProcessCallsBench(): Promise<void> {
  const pairs = Number(process.env.BENCH_IN_PROCESS_CALLS ?? 3000);
  const db = await startDynalite('bench');
  const config = { ...localClientConfig(db.endpoint), ...db.inProcess };
  const clients = {
    'per call': documentClient(config),
    'built once': reuseResolvedHandlers(documentClient(config)),
    local: localDocumentClient(config),
  };
  const figures = new Map<string, number[]>();
  try {
    for (let round = 0; round < 3; round++)
      for (const [name, doc] of Object.entries(clients)) {
        await calls(doc, db.tables.profiles, 200);
        const before = process.cpuUsage();
        await calls(doc, db.tables.profiles, pairs);
        const used = process.cpuUsage(before);
        figures.set(name, [...(figures.get(name) ?? []), (used.user + used.system) / 1000 / (2 * pairs)]);
      }
  } finally {
    await db.stop();
  }
  for (const [name, perCall] of figures)
    console.log(
      `middleware ${name.padEnd(10)} ${perCall.map((ms) => `${ms.toFixed(3)} ms`).join('  ')} CPU per call`,
    );
}

async function calls(doc: ReturnType<typeof documentClient>, table: string, pairs: number): Promise<void> {
  for (let i = 0; i < pairs; i++) {
    const userId = `bench-${i % 50}`;
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { userId },
        UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one, #t = :traits',
        ExpressionAttributeNames: { '#n': 'events', '#t': 'traits' },
        ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':traits': { plan: 'pro', name: `n${i}` } },
        ReturnValues: 'ALL_NEW',
      }),
    );
    await doc.send(new GetCommand({ TableName: table, Key: { userId } }));
  }
}
