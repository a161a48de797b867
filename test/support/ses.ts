import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import * as sesModule from 'aws-ses-v2-local';
import { z } from 'zod';
import { keepIdleConnections } from './idle-connections.ts';

/** aws-ses-v2-local on a free loopback port; `emails()` reads its /store. */
export type LocalSes = {
  endpoint: string;
  client: SESv2Client;
  emails: () => Promise<StoredEmail[]>;
  clear: () => Promise<void>;
  stop: () => Promise<void>;
};

const StoredEmail = z
  .object({
    messageId: z.string(),
    from: z.string(),
    destination: z.object({ to: z.array(z.string()) }).passthrough(),
    subject: z.string(),
    body: z.object({ html: z.string().optional(), text: z.string().optional() }).passthrough(),
    headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  })
  .passthrough();
export type StoredEmail = z.infer<typeof StoredEmail>;

/** The server factory: Node's ESM loader and vitest expose this CommonJS module's default differently. */
type ServerFactory = (config: { host: string; port: number }) => Promise<Server>;
function sesServer(): ServerFactory {
  const isFactory = (v: unknown) => typeof v === 'function';
  const exported: unknown = sesModule.default;
  if (isFactory(exported)) return z.custom<ServerFactory>(isFactory).parse(exported);
  return z.object({ default: z.custom<ServerFactory>(isFactory) }).parse(exported).default;
}

export async function startSes(): Promise<LocalSes> {
  const server = keepIdleConnections(await sesServer()({ host: '127.0.0.1', port: 0 }));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    client: new SESv2Client({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    emails: async () => {
      const res = await fetch(`${endpoint}/store`);
      return z.object({ emails: z.array(StoredEmail) }).parse(await res.json()).emails;
    },
    clear: async () => {
      await fetch(`${endpoint}/clear-store`, { method: 'POST' });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
