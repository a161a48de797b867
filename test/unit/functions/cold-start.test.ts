import { describe, expect, it } from 'vitest';
import { sfnClient } from '#functions/_lib/clients/sfn.ts';
import { setClients } from '#functions/_lib/clients.ts';
import { coldStart, keptPerColdStart } from '#functions/_lib/cold-start.ts';
import { unsubscribeSigningKey } from '#functions/_lib/signing-key.ts';

describe('a cold start', () => {
  it('forgets what was kept: the next use builds it again', () => {
    // arrange
    const kept = keptPerColdStart<{ port: number }>();
    kept.value = { port: 1 };
    // act
    coldStart();
    // assert
    expect(kept.value).toBeUndefined();
  });

  it('reads the signing key again, which stays the same until then', async () => {
    // arrange
    coldStart();
    await unsubscribeSigningKey({ UNSUBSCRIBE_SIGNING_KEY: 'first-key' })();
    // act
    const warm = await unsubscribeSigningKey({ UNSUBSCRIBE_SIGNING_KEY: 'second-key' })();
    coldStart();
    const cold = await unsubscribeSigningKey({ UNSUBSCRIBE_SIGNING_KEY: 'second-key' })();
    // assert
    expect(warm).toBe('first-key');
    expect(cold).toBe('second-key');
  });

  it('drops the clients set or created before it', () => {
    // arrange
    const injected = sfnClient();
    setClients({ sfn: injected });
    // act
    coldStart();
    const created = sfnClient();
    // assert
    expect(created).not.toBe(injected);
    created.destroy();
    coldStart();
  });
});
