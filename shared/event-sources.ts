/*
 * The bus's own sources, apart from the event schemas: a function that only
 * puts a notification on the bus does not build the customer event schemas
 * (esbuild carries a module whole once any export of it is used).
 */

/** The EventBridge `source` apps use for customer events, and the detail-types routed to ingest. */
export const CUSTOMER_EVENT_SOURCE = 'journeys.customer';
/** The source of the product's own notifications on the bus (deploys, segment runs). */
export const SYSTEM_EVENT_SOURCE = 'journeys.system';
/** The source of every event a journey's emit step puts on the bus. */
export const JOURNEY_EVENT_SOURCE = 'journeys.journey';
export const CUSTOMER_EVENT_DETAIL_TYPES = ['track', 'identify', 'alias'] as const;
