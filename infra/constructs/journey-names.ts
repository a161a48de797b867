import { DEFAULT_STATE_MACHINE_PREFIX } from '#shared/journey/state-machine-name.ts';

/**
 * Journey state machines are named `<prefix><id>` (see the journey schema's
 * `id`), the prefix being the stack's. Apart from the ARN helpers
 * (journey-arns.ts), so that the local runtime reads it without loading aws-cdk-lib.
 */
export const JOURNEY_STATE_MACHINE_PREFIX = DEFAULT_STATE_MACHINE_PREFIX;

/** The stack name whose journeys keep the names every release before per-stack names gave them. */
export const DEFAULT_STACK_NAME = 'Journeys';

/**
 * The prefix of a stack's journey state machines: `journey-` in the stack
 * named `Journeys`, `<stackName>-journey-` in any other, so that two stacks in
 * one account and Region neither share a journey's state machine nor reach
 * each other's with their grants.
 */
export function journeyNamePrefix(stackName: string): string {
  return stackName === DEFAULT_STACK_NAME
    ? JOURNEY_STATE_MACHINE_PREFIX
    : `${stackName}-${JOURNEY_STATE_MACHINE_PREFIX}`;
}

/** The customer event bus when none is given: `customer-events` in the stack named `Journeys`, `<stackName>-customer-events` in any other. */
export function defaultEventBusName(stackName: string): string {
  return stackName === DEFAULT_STACK_NAME ? 'customer-events' : `${stackName}-customer-events`;
}

/** The CloudWatch namespace of the stack named `Journeys`, where the functions publish their metrics. */
export const DEFAULT_METRICS_NAMESPACE = 'Journeys';

/**
 * Where the stack's functions publish their metrics, and its dashboard and
 * alarms read them: `Journeys` in the stack named `Journeys`,
 * `Journeys/<stackName>` in any other, so that one stack's messages of unknown
 * outcome or unsettled counts never fire another's alarms.
 */
export function metricsNamespace(stackName: string): string {
  return stackName === DEFAULT_STACK_NAME
    ? DEFAULT_METRICS_NAMESPACE
    : `${DEFAULT_METRICS_NAMESPACE}/${stackName}`;
}
