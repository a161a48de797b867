import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServer, listenOn, PortInUseError, portsInUse } from '#infra/local/runtime/listen.ts';

const taken: Server[] = [];
afterEach(async () => {
  await Promise.all(taken.splice(0).map(closeServer));
});

async function take(): Promise<number> {
  const server = createServer();
  taken.push(server);
  return listenOn(server, 'console', 0);
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listenOn(server, 'console', 0);
  await closeServer(server);
  return port;
}

/** A second runtime on the default ports finds all of them taken: it says so once, not one port per attempt. */
describe('ports in use', () => {
  it('names every port of the runtime that is taken, each with the option that moves it', async () => {
    // arrange: two of the runtime's ports held by another process, one free, one any free port
    const dynamodb = await take();
    const eventbridge = await take();
    const sqs = await freePort();

    // act
    const error = await portsInUse({ dynamodb, eventbridge, sqs, console: 0 });

    // assert
    expect(error).toBeInstanceOf(PortInUseError);
    expect(error?.message).toContain(`${dynamodb} (dynamodb)`);
    expect(error?.message).toContain(`${eventbridge} (eventbridge)`);
    expect(error?.message).toContain('--dynamodb-port <n>');
    expect(error?.message).toContain('--eventbridge-port <n>');
    expect(error?.message).not.toContain('sqs');
    expect(error?.message).not.toContain('console');
  });

  it('finds nothing when every port is free', async () => {
    // act
    const error = await portsInUse({ dynamodb: await freePort(), console: 0 });

    // assert
    expect(error).toBeUndefined();
  });
});
