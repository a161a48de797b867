import { SESv2Client } from '@aws-sdk/client-sesv2';
import { z } from 'zod';
import { startSes as startLocalSes } from '#infra/local/services/ses/ses.ts';

/** aws-ses-v2-local behind a free loopback port; `emails()` reads its /store. */
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

/**
 * The runtime's own SES stand-in: the emulator on a private socket behind the
 * proxy that answers this machine only (a page on a rebound name reads no
 * test email), keeping every email a test sends.
 */
export async function startSes(): Promise<LocalSes> {
  const ses = await startLocalSes(0, 100_000);
  const endpoint = ses.endpoint;
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
    stop: ses.stop,
  };
}
