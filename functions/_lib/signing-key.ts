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

/** The signing key and when it was read: a container that stays warm reads it again after SIGNING_KEY_MAX_AGE_MS. */
const key = keptPerColdStart<{ value: Promise<string>; loadedAt: number }>();

/**
 * How long a container signs with the key it read: after a rotation (a key
 * that leaked, replaced) links are signed with the new key within this time,
 * not for as long as the container stays warm. One read per container per period.
 */
const SIGNING_KEY_MAX_AGE_MS = 300_000;

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

/**
 * A reader of the signing key: loaded on first use, then read again once it
 * is SIGNING_KEY_MAX_AGE_MS old (`nowMs` is the clock). A first read that
 * fails is tried again at the next call; a later one keeps the key read
 * before, until the next period.
 */
export function unsubscribeSigningKey(
  source: SigningKeySource,
  nowMs: () => number = Date.now,
): () => Promise<string> {
  return () => {
    const kept = key.value;
    if (kept !== undefined && nowMs() - kept.loadedAt < SIGNING_KEY_MAX_AGE_MS) return kept.value;
    const read = load(source);
    const fresh = { value: kept === undefined ? read : read.catch(() => kept.value), loadedAt: nowMs() };
    key.value = fresh;
    fresh.value.catch(() => {
      if (key.value === fresh) key.value = undefined;
    });
    return fresh.value;
  };
}

/** How long a container keeps the verifying keys before a link that fails them may reload them. */
const RELOAD_AFTER_MS = 60_000;

/**
 * The keys an unsubscribe link may be signed with: the current one, then the
 * one before the last rotation (Secrets Manager's AWSPREVIOUS), so links
 * sent before a rotation keep working until the next one. `reload` reads the
 * secret again for a link the kept keys refuse (a rotation since this
 * container read it), at most once a minute; undefined when it may not yet.
 */
export type VerifyingKeys = {
  keys(): Promise<readonly string[]>;
  reload(): Promise<readonly string[] | undefined>;
};

async function loadVerifying(source: SigningKeySource): Promise<readonly string[]> {
  const current = await load(source);
  if (source.UNSUBSCRIBE_SIGNING_KEY !== undefined || source.UNSUBSCRIBE_SECRET_ARN === undefined)
    return [current];
  try {
    const out = await secretsClient().send(
      new GetSecretValueCommand({ SecretId: source.UNSUBSCRIBE_SECRET_ARN, VersionStage: 'AWSPREVIOUS' }),
    );
    const previous = out.SecretString;
    return previous !== undefined && previous.length >= 32 && previous !== current
      ? [current, previous]
      : [current];
  } catch (error) {
    // A secret never rotated has no previous version.
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return [current];
    throw error;
  }
}

const verifying = keptPerColdStart<{ keys: Promise<readonly string[]>; loadedAt: number }>();

/** The verifying keys, kept per cold start (read again after a failure); `nowMs` is the clock reloads are paced by. */
export function unsubscribeVerifyingKeys(
  source: SigningKeySource,
  nowMs: () => number = Date.now,
): VerifyingKeys {
  const fetch = () => {
    const kept = { keys: loadVerifying(source), loadedAt: nowMs() };
    verifying.value = kept;
    kept.keys.catch(() => {
      if (verifying.value === kept) verifying.value = undefined;
    });
    return kept.keys;
  };
  return {
    keys: () => verifying.value?.keys ?? fetch(),
    reload: async () => {
      const kept = verifying.value;
      if (kept !== undefined && nowMs() - kept.loadedAt < RELOAD_AFTER_MS) return undefined;
      return fetch();
    },
  };
}
