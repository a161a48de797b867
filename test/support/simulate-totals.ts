import type { Totals } from '#infra/simulate/run/totals.ts';

/** A simulation run's totals: 10 customers each sent one email, with `more` over them. */
export function totals(more: Partial<Totals>): Totals {
  return {
    customers: 10,
    events: 10,
    enrolled: 10,
    failures: 0,
    sent: [['email', 10]],
    sentByDay: [['2026-03-02', 'email', 10]],
    sentByLocalHour: [],
    deferred: [],
    suppressed: [],
    unknown: [],
    invocations: [],
    failedExecutions: [],
    counters: [],
    transitions: 20,
    executions: 10,
    providers: { emails: 10, sms: 0, push: 0, events: 0 },
    feedback: [],
    setup: { reads: 0, writes: 0 },
    run: { reads: 0, writes: 0 },
    endedAt: Date.parse('2026-03-03T00:00:00Z'),
    ...more,
  };
}
