import type { RegistryRepository } from '#functions/_lib/registry.ts';
import type { StatsRepository } from '#functions/_lib/stats.ts';
import { openExecutions } from '#shared/segment/headroom.ts';

/** How long a worker trusts its count: a minute of starts at 280/s moves it by under 2% of the limit. */
const FRESH_MS = 60_000;

export type OpenCount = { account: number; perJourney: Map<string, number> };

/**
 * Open executions per journey and in the account, from the stats counters
 * (entered − ended) of every live journey: a few queries, not a
 * ListExecutions scan of a million executions.
 */
export class OpenExecutions {
  private cached: { at: number; count: Promise<OpenCount> } | undefined;

  constructor(
    private readonly registry: Pick<RegistryRepository, 'listLive'>,
    private readonly stats: Pick<StatsRepository, 'funnel'>,
    private readonly nowMs: () => number,
  ) {}

  /** The count, read again when older than a minute. */
  async count(): Promise<OpenCount> {
    const now = this.nowMs();
    if (this.cached === undefined || now - this.cached.at > FRESH_MS) {
      const count = this.read();
      this.cached = { at: now, count };
      // A failed read is not kept: the next call tries again.
      count.catch(() => {
        if (this.cached?.count === count) this.cached = undefined;
      });
    }
    return this.cached.count;
  }

  private async read(): Promise<OpenCount> {
    const perJourney = new Map<string, number>();
    let account = 0;
    for (const journey of await this.registry.listLive()) {
      const open = openExecutions(await this.stats.funnel(journey.journeyId));
      perJourney.set(journey.journeyId, open);
      account += open;
    }
    return { account, perJourney };
  }
}
