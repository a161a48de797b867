import { afterAll, describe, expect, it } from 'vitest';
import { profilesRepository, registryRepository } from '#functions/_lib/repositories.ts';
import type { LocalRuntime } from '#infra/local/index.ts';
import { LOCAL_TABLES } from '#infra/local/runtime/env.ts';
import {
  boot,
  E2E_TIMEOUT,
  identify,
  portsOf,
  putEvents,
  type Sandbox,
  sandbox,
} from './support/local-runtime.ts';

let box: Sandbox | undefined;
let runtime: LocalRuntime | undefined;

afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

describe('restarting the local runtime on the same data directory', () => {
  it(
    'keeps profiles, the registry and journey time',
    async () => {
      // arrange: a first run knows a customer, then stops
      box = await sandbox(['cart-abandonment']);
      runtime = await boot(box);
      await putEvents(runtime, [identify('restart-1', 'Europe/Rome')]);
      await runtime.settled();
      const ports = portsOf(runtime);
      const journeyTimeAtStop = runtime.services.clock.nowMs();
      await runtime.stop();
      runtime = undefined;
      // act: the same data directory (and ports: handlers keep their clients per process, as in Lambda)
      runtime = await boot(box, { ports });
      // assert
      const state = await profilesRepository(LOCAL_TABLES.profiles).get('restart-1');
      expect(state.profile).toMatchObject({ email: 'restart-1@example.com', timezone: 'Europe/Rome' });
      const entry = await registryRepository(LOCAL_TABLES.journeys).get('cart-abandonment');
      expect(entry).toMatchObject({ journeyId: 'cart-abandonment' });
      // Journey time resumes where the first run stopped instead of going back to the real clock.
      expect(runtime.services.clock.nowMs()).toBe(journeyTimeAtStop);
    },
    E2E_TIMEOUT,
  );
});
