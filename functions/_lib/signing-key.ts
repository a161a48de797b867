import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from './clients/secrets.ts';
import { ConfigError, lazyConfig } from './config.ts';

/**
 * The key unsubscribe links are signed with. On AWS the stack creates it in
 * Secrets Manager (UNSUBSCRIBE_SECRET_ARN) and it is read once per cold
 * start; the local runtime and tests give it directly (UNSUBSCRIBE_SIGNING_KEY).
 */
const config = lazyConfig(['UNSUBSCRIBE_SECRET_ARN', 'UNSUBSCRIBE_SIGNING_KEY']);
let key: Promise<string> | undefined;

async function load(): Promise<string> {
  const c = config();
  if (c.UNSUBSCRIBE_SIGNING_KEY !== undefined) return c.UNSUBSCRIBE_SIGNING_KEY;
  if (c.UNSUBSCRIBE_SECRET_ARN === undefined)
    throw new ConfigError('UNSUBSCRIBE_SECRET_ARN or UNSUBSCRIBE_SIGNING_KEY must be set');
  const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: c.UNSUBSCRIBE_SECRET_ARN }));
  if (out.SecretString === undefined || out.SecretString.length < 32)
    throw new ConfigError('the unsubscribe signing secret is empty or too short');
  return out.SecretString;
}

export function unsubscribeSigningKey(): Promise<string> {
  key ??= load();
  key.catch(() => {
    key = undefined;
  });
  return key;
}
