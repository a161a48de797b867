import type { Fault, FaultPlan, FaultRequest } from './fault-proxy.ts';
import type { SendWorld } from './send-world.ts';

/** A request of the send path, recognised by its operation, table and expression. */
export type StoreWrite = {
  op: string;
  table: 'deliveries' | 'profiles' | 'enrollments' | 'stats';
  marker?: string;
};

/**
 * Fault plans over a send world's store requests: `matches` tells a request of
 * one kind; `once` faults the first `times` requests of that kind (each: the
 * SDK's retries all failed) and passes the rest. `world` is read at each
 * request, so a file can build them before its world starts.
 */
export function storeFaults(world: () => SendWorld) {
  const matches = (write: StoreWrite, request: FaultRequest): boolean =>
    request.target.endsWith(`.${write.op}`) &&
    request.body.includes(`"${world().db.tables[write.table]}"`) &&
    (write.marker === undefined || request.body.includes(write.marker));
  const once = (write: StoreWrite, fault: Fault, times = 1): FaultPlan => {
    let left = times;
    return (_index, request) => {
      if (left === 0 || !matches(write, request)) return 'pass';
      left -= 1;
      return fault;
    };
  };
  return { matches, once };
}
