import * as z from '#shared/zod.ts';

/**
 * The EventBridge event envelope a rule delivers to a Lambda target. Our own
 * small schema rather than Powertools' prebuilt one, which imports all of zod
 * and would triple every bundle.
 */
export const EventBridgeEvent = z.object({
  version: z.string(),
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.unknown(),
});
export type EventBridgeEvent = z.infer<typeof EventBridgeEvent>;
