import { afterAll, beforeAll } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import type { VerifyingKeys } from '#functions/_lib/signing-key.ts';
import {
  handleUnsubscribe,
  type UnsubscribeDeps,
  type WebResponse,
} from '#functions/unsubscribe/unsubscribe.ts';
import type { Channel } from '#shared/channels.ts';
import { consentBlock } from '#shared/delivery/policy.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * The unsubscribe endpoint on real tables (dynalite), its links signed with
 * one key, on a fixed business clock: a link's age never depends on when the
 * tests run.
 */
export type UnsubscribeWorld = {
  db: LocalDynamo;
  deps: UnsubscribeDeps;
  /** A request to the endpoint for the link with `token`. */
  request: (method: string, token: string, body?: string) => Promise<WebResponse>;
  /** Why a marketing message to the customer would not be sent now (undefined: it would). */
  block: (userId: string, channel?: Channel, topic?: string) => Promise<string | undefined>;
  /** Moves the business clock on: a change the customer makes after another one happens later. */
  advance: (ms: number) => void;
};

/** Starts the world before the file's tests (`keys` in place of the one key, to watch reloads) and stops it after. */
export function unsubscribeWorld(
  prefix: string,
  key: string,
  now: Date,
  keys: VerifyingKeys = { keys: async () => [key], reload: async () => undefined },
): { readonly current: UnsubscribeWorld } {
  let world: UnsubscribeWorld | undefined;
  beforeAll(async () => {
    const db = await startDynalite(prefix);
    let clock = now;
    const deps = { profiles: new ProfilesRepository(db.doc, db.tables.profiles), keys, now: () => clock };
    world = {
      db,
      deps,
      request: (method, token, body = '') =>
        handleUnsubscribe(deps, { method, query: new URLSearchParams({ t: token }), body }),
      block: async (userId, channel = 'email', topic) => {
        const { profile } = await deps.profiles.get(userId);
        return consentBlock(profile, channel, { topic, transactional: false });
      },
      advance: (ms) => {
        clock = new Date(clock.getTime() + ms);
      },
    };
  });
  afterAll(async () => world?.db.stop());
  return {
    get current(): UnsubscribeWorld {
      if (world === undefined) throw new Error('the unsubscribe world starts before the tests');
      return world;
    },
  };
}
