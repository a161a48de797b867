import * as z from 'zod';
import { readJsonFile } from '#infra/cli/files.ts';
import { ConnectionName } from '#shared/journey/webhook.ts';
import type { LocalConnection } from '../services/stepfunctions/http-invoke.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './aws.ts';

/**
 * The webhook connections of the local runtime: what the stack's
 * `webhookConnections` setting is in AWS, with the credential itself instead
 * of a Secrets Manager name, and optionally a `target` the calls go to
 * instead (a loopback server), so journey files keep their real URLs.
 */
export const LocalConnectionConfig = z
  .object({
    baseUrl: z.url().describe('As in the stack: every webhook URL on this connection starts with it.'),
    target: z
      .url()
      .optional()
      .describe(
        'Where calls under baseUrl are sent locally, such as http://127.0.0.1:4040; default baseUrl.',
      ),
    auth: z.discriminatedUnion('type', [
      z.object({ type: z.literal('apiKey'), header: z.string().min(1), value: z.string().min(1) }),
      z.object({ type: z.literal('basic'), username: z.string().min(1), password: z.string().min(1) }),
    ]),
  })
  .strict();
export type LocalConnectionConfig = z.infer<typeof LocalConnectionConfig>;

/** A connections file: `{ "<name>": { baseUrl, target?, auth } }`. */
export const LocalConnectionsFile = z
  .record(ConnectionName, LocalConnectionConfig)
  .transform((record) => new Map(Object.entries(record)));

/** The ARN a local connection has, as EventBridge would name it. */
function localConnectionArn(name: string): string {
  return `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:connection/${name}/local`;
}

/** Reads a connections file; a readable error names the file and each bad value (never a credential). */
export async function readConnectionsFile(path: string): Promise<Map<string, LocalConnectionConfig>> {
  const read = await readJsonFile(path);
  if (!read.ok) throw new Error(`${path}: ${read.message}`);
  const parsed = LocalConnectionsFile.safeParse(read.value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`${path}:\n${problems.join('\n')}`);
}

function authHeader(auth: LocalConnectionConfig['auth']): LocalConnection['authHeader'] {
  if (auth.type === 'apiKey') return { name: auth.header, value: auth.value };
  const token = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  return { name: 'authorization', value: `Basic ${token}` };
}

/** The connections the local http:invoke integration calls through. */
export function localConnections(configs: ReadonlyMap<string, LocalConnectionConfig>): LocalConnection[] {
  return [...configs].map(([name, config]) => ({
    arn: localConnectionArn(name),
    baseUrl: config.baseUrl,
    target: config.target ?? config.baseUrl,
    authHeader: authHeader(config.auth),
  }));
}

/** The WEBHOOK_CONNECTIONS value deploy-journey reads: names, ARNs and base URLs, no credential. */
export function connectionsVariable(configs: ReadonlyMap<string, LocalConnectionConfig>): string {
  return JSON.stringify(
    Object.fromEntries(
      [...configs].map(([name, config]) => [
        name,
        { arn: localConnectionArn(name), baseUrl: config.baseUrl },
      ]),
    ),
  );
}
