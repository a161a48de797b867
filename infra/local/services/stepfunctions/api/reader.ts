import { join } from 'node:path';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { localClientConfig } from '../../../runtime/aws.ts';
import type { DataSource } from '../../../runtime/data.ts';
import { listenOnAnyPort } from '../../../runtime/listen.ts';
import { runningOn } from '../../../runtime/running.ts';
import { ExecutionLog } from './executions.ts';
import { HistoryStore } from './history-store.ts';
import { MachineStore } from './machines.ts';
import { createStepFunctionsServer } from './server.ts';
import { LocalStepFunctions } from './service.ts';

/**
 * A Step Functions client for reading executions (`journeys trace`): the
 * endpoint given, else that of the local runtime running on the data folder
 * (whatever port it took); when none runs there, a read-only server over the
 * folder on a free port — never whichever runtime answers on the default
 * port, whose executions are another folder's. Or AWS (`--aws`, where
 * `AWS_ENDPOINT_URL_SFN` may point elsewhere). Readers use the API either way.
 */
/** The endpoint given, else that of the runtime running on the folder; undefined: read the folder itself. */
export function localStepFunctionsEndpoint(source: {
  dataDir: string;
  sfnEndpoint?: string;
}): string | undefined {
  return source.sfnEndpoint ?? runningOn(source.dataDir)?.sfn;
}

export async function withStepFunctions<T>(
  source: DataSource & { sfnEndpoint?: string },
  read: (client: SFNClient) => Promise<T>,
): Promise<T> {
  if (source.kind === 'aws') {
    const client = new SFNClient(source.region === undefined ? {} : { region: source.region });
    try {
      return await read(client);
    } finally {
      client.destroy();
    }
  }
  const endpoint = localStepFunctionsEndpoint(source);
  if (endpoint === undefined) return withOfflineServer(source.dataDir, read);
  const running = new SFNClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  try {
    await running.send(new ListStateMachinesCommand({ maxResults: 1 }));
    return await read(running);
  } catch (error) {
    if (!refused(error)) throw error;
  } finally {
    running.destroy();
  }
  return withOfflineServer(source.dataDir, read);
}

function refused(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message} ${String(error.cause ?? '')}` : '';
  return /ECONNREFUSED|connect|socket hang up/i.test(text);
}

async function withOfflineServer<T>(dataDir: string, read: (client: SFNClient) => Promise<T>): Promise<T> {
  const dir = join(dataDir, 'stepfunctions');
  const sfn = new LocalStepFunctions({
    machines: await MachineStore.open(join(dir, 'state-machines.json')),
    // Read-only: nothing here starts an execution, so no record is written.
    executions: await ExecutionLog.open(join(dir, 'executions.jsonl')),
    // Nothing is pruned while reading: the runtime prunes on its own clock.
    histories: await HistoryStore.open(join(dir, 'history'), () => 0),
    handlers: {},
    time: {
      now: () => 0,
      sleep: async () => undefined,
      hold: () => () => undefined,
      parked: (wait) => wait,
    },
  });
  const server = createStepFunctionsServer(sfn);
  const port = await listenOnAnyPort(server);
  const client = new SFNClient(localClientConfig(`http://127.0.0.1:${port}`));
  try {
    return await read(client);
  } finally {
    client.destroy();
    server.close();
  }
}
