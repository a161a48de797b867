import { Agent, createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServer, HeldPorts, listenOn, PortInUseError, serve } from '#infra/local/runtime/listen.ts';

function answering(text: string): Server {
  return createServer((_req, res) => res.end(text));
}

async function get(port: number): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  return { status: res.status, body: await res.text() };
}

let held: HeldPorts | undefined;
afterEach(async () => {
  await held?.close();
  held = undefined;
});

describe('ports held across runtimes', () => {
  it('keeps a port open between two runtimes, so no other process can take it, and serves the one mounted', async () => {
    // arrange: a first runtime's stand-in on any free port
    held = new HeldPorts();
    const first = await held.mount('sfn', answering('first'), 0);
    expect(await get(first.port)).toEqual({ status: 200, body: 'first' });
    // act: it stops; someone else asks for that very port; the next runtime mounts its stand-in
    await first.close();
    const between = await get(first.port);
    const thief = createServer();
    const stolen = listenOn(thief, 'sfn', first.port);
    await expect(stolen).rejects.toBeInstanceOf(PortInUseError);
    const second = await held.mount('sfn', answering('second'), 0);
    // assert: same port, answered by the runtime that runs, and 503 while none does
    expect(between.status).toBe(503);
    expect(second.port).toBe(first.port);
    expect(await get(second.port)).toEqual({ status: 200, body: 'second' });
  });

  it('refuses a second stand-in on a port whose first still runs', async () => {
    held = new HeldPorts();
    await held.mount('ses', answering('one'), 0);
    await expect(held.mount('ses', answering('two'), 0)).rejects.toThrow(/ses is already mounted/);
  });

  it('closes every held port', async () => {
    // arrange
    held = new HeldPorts();
    const { port } = await held.mount('dynamodb', answering('db'), 0);
    // act
    await held.close();
    held = undefined;
    // assert: nothing answers on it any more
    await expect(get(port)).rejects.toThrow();
  });
});

/** The headers of one answer over a keep-alive connection, as the SDK's clients ask. */
function keepAliveHeaders(port: number, agent: Agent): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('stand-ins keep idle connections open', () => {
  // A connection closed after an idle time can be closed as the next request goes out on it: ECONNRESET,
  // which a send records as "outcome unknown". Node announces such a timeout in a Keep-Alive header.
  it.each([
    ['mounted on a held port', true],
    ['on a port of its own', false],
  ])('%s: the connection stays for the next request, with no idle timeout', async (_name, onHeld) => {
    // arrange
    if (onHeld) held = new HeldPorts();
    const server = answering('ok');
    const serving = await serve(server, 'pinpoint', 0, held);
    const agent = new Agent({ keepAlive: true });
    try {
      // act
      const headers = await keepAliveHeaders(serving.port, agent);
      // assert
      expect(headers.connection).toBe('keep-alive');
      expect(headers['keep-alive']).toBeUndefined();
    } finally {
      agent.destroy();
      await serving.close();
      if (!onHeld) await closeServer(server);
    }
  });
});
