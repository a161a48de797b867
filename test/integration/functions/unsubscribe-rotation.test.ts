import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { coldStart } from '#functions/_lib/cold-start.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { unsubscribeSigningKey, unsubscribeVerifyingKeys } from '#functions/_lib/signing-key.ts';
import { signUnsubscribe } from '#functions/_lib/unsubscribe-links.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { handleUnsubscribe } from '#functions/unsubscribe/unsubscribe.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps } from './harness.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:unsubscribe-key';
const OLDEST = 'the-key-before-the-last-two-rotations-32+';
const PREVIOUS = 'the-key-before-the-last-rotation-of-32+ch';
const CURRENT = 'the-current-unsubscribe-signing-key-32+ch';
const NEWER = 'a-key-put-after-this-container-read-32+ch';

const secrets = mockClient(SecretsManagerClient);
let db: LocalDynamo;
let profiles: ProfilesRepository;

/** Secrets Manager holding `current` and, when given, `previous` (AWSPREVIOUS). */
function secret(current: string, previous?: string) {
  secrets.reset();
  secrets.on(GetSecretValueCommand).callsFake((input: { VersionStage?: string }) => {
    if (input.VersionStage === 'AWSPREVIOUS') {
      if (previous === undefined)
        throw Object.assign(new Error('no previous'), { name: 'ResourceNotFoundException' });
      return { SecretString: previous };
    }
    return { SecretString: current };
  });
}

beforeAll(async () => {
  db = await startDynalite('unsub-rotation');
  profiles = new ProfilesRepository(db.doc, db.tables.profiles);
  await ingestEvent(ingestDeps(db).deps, identify('rot-1', { email: 'rot-1@example.com' }));
});
afterAll(async () => {
  secrets.restore();
  await db.stop();
});
beforeEach(() => coldStart());

describe('unsubscribe links across a rotation of the signing key', () => {
  it('accepts links signed with the current key or the one before, and refuses older ones', async () => {
    // arrange
    secret(CURRENT, PREVIOUS);
    const deps = {
      profiles,
      keys: unsubscribeVerifyingKeys({ UNSUBSCRIBE_SECRET_ARN: ARN }, () => 0),
      now: () => new Date(),
    };
    const open = (key: string) =>
      handleUnsubscribe(deps, {
        method: 'GET',
        query: new URLSearchParams({ t: signUnsubscribe(key, { u: 'rot-1', c: 'email' }) }),
        body: '',
      });
    // act
    const [current, previous, oldest] = [await open(CURRENT), await open(PREVIOUS), await open(OLDEST)];
    // assert
    expect([current.statusCode, previous.statusCode, oldest.statusCode]).toEqual([200, 200, 400]);
  });

  it('reads the secret again, at most once a minute, for a link signed with a key put since', async () => {
    // arrange: the container reads the keys; then the secret is rotated
    secret(CURRENT);
    let clock = 0;
    const deps = {
      profiles,
      keys: unsubscribeVerifyingKeys({ UNSUBSCRIBE_SECRET_ARN: ARN }, () => clock),
      now: () => new Date(),
    };
    const token = signUnsubscribe(NEWER, { u: 'rot-1', c: 'email' });
    const open = () =>
      handleUnsubscribe(deps, { method: 'GET', query: new URLSearchParams({ t: token }), body: '' });
    expect((await open()).statusCode).toBe(400);
    secret(NEWER, CURRENT);
    // act
    clock = 59_999;
    const tooSoon = await open();
    clock = 60_000;
    const reloaded = await open();
    // assert
    expect(tooSoon.statusCode).toBe(400);
    expect(reloaded.statusCode).toBe(200);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('signs with the key put since a rotation from five minutes after it, in a container that stays warm', async () => {
    // arrange: a warm send container signs links; then the secret is rotated (a key that leaked, replaced)
    secret(CURRENT);
    let clock = 0;
    const signingKey = unsubscribeSigningKey({ UNSUBSCRIBE_SECRET_ARN: ARN }, () => clock);
    expect(await signingKey()).toBe(CURRENT);
    secret(NEWER, CURRENT);
    // act
    clock = 299_999;
    const before = await signingKey();
    clock = 300_000;
    const after = await signingKey();
    // assert
    expect([before, after]).toEqual([CURRENT, NEWER]);
  });

  it('keeps signing with the key it has when the secret cannot be read again, and tries again later', async () => {
    // arrange
    secret(CURRENT);
    let clock = 0;
    const signingKey = unsubscribeSigningKey({ UNSUBSCRIBE_SECRET_ARN: ARN }, () => clock);
    await signingKey();
    secrets.reset();
    secrets
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    // act
    clock = 300_000;
    const unreadable = await signingKey();
    clock = 300_001;
    const meanwhile = await signingKey();
    const reads = secrets.commandCalls(GetSecretValueCommand).length;
    secret(NEWER, CURRENT);
    clock = 600_000;
    const later = await signingKey();
    // assert
    expect([unreadable, meanwhile, later]).toEqual([CURRENT, CURRENT, NEWER]);
    // One failed read, not one per send while the secret cannot be read.
    expect(reads).toBe(1);
  });
});
