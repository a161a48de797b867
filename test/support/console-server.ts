import type { AddressInfo } from 'node:net';
import { createConsoleServer } from '#infra/local/console/server.ts';

/**
 * Runs `read` against the local console serving `dir` (its data and its
 * journeys) over the DynamoDB at `dynamodb`, on a free loopback port, and
 * closes it after. Step Functions and SES point at a closed port: the pages
 * these tests read need neither. The console's clock is 2026-11-04.
 */
export async function withConsole(
  dir: string,
  dynamodb: string,
  read: (base: string) => Promise<void>,
): Promise<void> {
  const server = createConsoleServer({
    dataDir: dir,
    journeysDir: dir,
    endpoints: { dynamodb, sfn: 'http://127.0.0.1:9', ses: 'http://127.0.0.1:9' },
    now: () => new Date('2026-11-04T00:00:00.000Z'),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  try {
    await read(`http://127.0.0.1:${port}`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
