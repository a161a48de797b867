import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from './clients/secrets.ts';
import { keptPerColdStart } from './cold-start.ts';
import { ConfigError } from './config.ts';

/**
 * Where the key unsubscribe links are signed with comes from. On AWS the
 * stack creates it in Secrets Manager (UNSUBSCRIBE_SECRET_ARN) and it is
 * read once per cold start; the local runtime and tests give it directly
 * (UNSUBSCRIBE_SIGNING_KEY).
 */
export type SigningKeySource = { UNSUBSCRIBE_SECRET_ARN?: string; UNSUBSCRIBE_SIGNING_KEY?: string };

const key = keptPerColdStart<Promise<string>>();

async function load(source: SigningKeySource): Promise<string> {
  if (source.UNSUBSCRIBE_SIGNING_KEY !== undefined) return source.UNSUBSCRIBE_SIGNING_KEY;
  if (source.UNSUBSCRIBE_SECRET_ARN === undefined)
    throw new ConfigError('UNSUBSCRIBE_SECRET_ARN or UNSUBSCRIBE_SIGNING_KEY must be set');
  const out = await secretsClient().send(
    new GetSecretValueCommand({ SecretId: source.UNSUBSCRIBE_SECRET_ARN }),
  );
  if (out.SecretString === undefined || out.SecretString.length < 32)
    throw new ConfigError('the unsubscribe signing secret is empty or too short');
  return out.SecretString;
}

/** A reader of the signing key: loaded on first use, then the same for the process (retried after a failure). */
export function unsubscribeSigningKey(source: SigningKeySource): () => Promise<string> {
  return () => {
    key.value ??= load(source);
    key.value.catch(() => {
      key.value = undefined;
    });
    return key.value;
  };
}
