import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetClock, setClock } from '#functions/_lib/clock.ts';
import { DEFAULT_TIMEOUT_SECONDS } from '#functions/_lib/manifest.ts';
import { MANIFESTS } from '#functions/manifests.ts';
import { lambdaContext } from '#infra/local/runtime/lambdas.ts';

afterEach(() => {
  vi.useRealTimers();
  resetClock();
});

describe('the Lambda context of a local invocation', () => {
  it('counts the remaining time on journey time, which stands still while the handler runs', () => {
    // arrange: journey time stands at one instant; the machine's clock runs on
    let journeyMs = Date.parse('2026-03-02T09:00:00Z');
    setClock(() => new Date(journeyMs));
    const machineMs = Date.parse('2031-07-01T12:00:00Z');
    vi.useFakeTimers({ toFake: ['Date'], now: machineMs });
    const context = lambdaContext('send-message');
    // act: the handler takes 5 seconds of the machine's clock (a loaded machine)
    vi.setSystemTime(machineMs + 5_000);
    const whileWorking = context.getRemainingTimeInMillis();
    journeyMs += 20_000;
    const later = context.getRemainingTimeInMillis();
    // assert: a lease taken from it is the same on any machine; only journey time spends it
    expect(whileWorking).toBe(30_000);
    expect(later).toBe(10_000);
  });

  it.each(MANIFESTS.map((m) => [m.name, m.timeoutSeconds] as const))(
    'gives %s the timeout the stack gives it (its manifest’s, else the default)',
    (name, timeoutSeconds) => {
      // arrange
      setClock(() => new Date('2026-03-02T09:00:00Z'));
      // act
      const remaining = lambdaContext(name).getRemainingTimeInMillis();
      // assert: a send's claim lease, a worker's budget, are as long here as on AWS
      expect(remaining).toBe((timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000);
    },
  );
});
