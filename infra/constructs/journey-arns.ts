import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { journeyNamePrefix } from './journey-names.ts';

/** Where the stack keeps the prefix of its journey state machines for its constructs to read. */
export const JOURNEY_PREFIX_CONTEXT = 'journeys:stateMachinePrefix';

/** The prefix of the journey state machines of the stack `scope` is in: the one it was given, or its name's. */
export function stackJourneyPrefix(scope: IConstruct): string {
  const given = scope.node.tryGetContext(JOURNEY_PREFIX_CONTEXT);
  return typeof given === 'string' ? given : journeyNamePrefix(Stack.of(scope).stackName);
}

/** Every journey state machine of the stack, its versions (`:<n>`) and its aliases (`:live`). */
export function journeyStateMachinesArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: `${stackJourneyPrefix(scope)}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Every execution of a journey state machine of the stack, whichever version or alias started it. */
export function journeyExecutionsArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stackJourneyPrefix(scope)}*:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
