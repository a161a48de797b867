import { mkdtemp, rm } from 'node:fs/promises';
import { Server as HttpServer, request } from 'node:http';
import { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { answersThisMachineOnly } from '#infra/local/runtime/loopback-hosts.ts';
import { WebhookStandIn } from '#infra/local/scenarios/webhook-stand-in.ts';
import { startSes } from '#infra/local/services/ses/ses.ts';
import { withStepFunctions } from '#infra/local/services/stepfunctions/api/reader.ts';

/**
 * Every local server answers this machine only (loopback-hosts.ts): a page
 * that rebinds its own name to 127.0.0.1, or posts from its origin, is refused.
 */

function status(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{}');
  });
}

const REFUSED = [
  ['another host (DNS rebinding)', { host: 'rebound.example' }],
  ['a page of another origin', { origin: 'https://site.example' }],
] as const;

describe('local servers answer this machine only', () => {
  it.each(REFUSED)('the scenario webhook stand-in refuses %s', async (_why, headers) => {
    const standIn = await WebhookStandIn.start(new Map([['shop', 'https://shop.example']]));
    try {
      const target = standIn.connections.get('shop')?.target ?? '';
      expect(await status(target, headers)).toBe(403);
      expect(await status(target, {})).not.toBe(403);
    } finally {
      await standIn.close();
    }
  });

  it.each(REFUSED)('the Step Functions server reading a stopped folder refuses %s', async (_why, headers) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sfn-reader-'));
    try {
      const seen = await withStepFunctions({ kind: 'local', dataDir }, async (client) => {
        const endpoint = await client.config.endpoint?.();
        const { hostname, port } = endpoint ?? { hostname: '', port: 0 };
        const url = `http://${hostname}:${port}/`;
        const json = {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'AWSStepFunctions.ListStateMachines',
        };
        return [await status(url, { ...json, ...headers }), await status(url, json)];
      });
      expect(seen).toEqual([403, 200]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/** Whether `listen` was asked for a TCP port (a number, a numeric string, or options with a port) rather than a socket path. */
function tcp(args: unknown[]): boolean {
  const [first] = args;
  if (typeof first === 'number') return true;
  if (typeof first === 'string') return /^\d+$/.test(first);
  return first !== null && typeof first === 'object' && 'port' in first;
}

describe('local servers are guarded before they listen', () => {
  it('the SES stand-in opens no TCP port that is not guarded, even for a moment (its emulator library listens itself)', async () => {
    const seen: { tcp: boolean; guarded: boolean }[] = [];
    const listen = Server.prototype.listen;
    const spy = vi.spyOn(Server.prototype, 'listen').mockImplementation(function (
      this: Server,
      ...args: unknown[]
    ) {
      const guarded = this instanceof HttpServer && answersThisMachineOnly(this);
      seen.push({ tcp: tcp(args), guarded });
      return Reflect.apply(listen, this, args);
    });
    try {
      const ses = await startSes(0, 5);
      await ses.stop();
    } finally {
      spy.mockRestore();
    }
    expect(seen.filter((s) => s.tcp).length).toBeGreaterThan(0);
    expect(seen.filter((s) => s.tcp && !s.guarded)).toEqual([]);
  });
});
