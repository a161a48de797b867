import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { lazyClient } from '../clients.ts';

/** The EventBridge Scheduler client of this process. */
export function schedulerClient(): SchedulerClient {
  return lazyClient('scheduler', (config) => new SchedulerClient(config));
}
