import { PolicyStatement } from 'aws-cdk-lib/aws-iam';

/** The IAM actions the function bindings grant, and the reason for the one wildcard they need. */

export const TABLE_READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
export const TABLE_WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

export type TaskCallbackAction = 'states:SendTaskSuccess' | 'states:SendTaskFailure';

/** What each scope of the journeyExecutions binding does to journey executions, besides starting them. */
export const EXECUTION_ACTIONS = {
  start: [],
  // Goal and exit events stop enrollments.
  startAndStop: ['states:StopExecution'],
  // An execution's end whose event left out the input reads it.
  describe: ['states:DescribeExecution'],
} as const satisfies Record<string, readonly string[]>;

/** What deploy-journey does to journey state machines. */
export const DEPLOY_ACTIONS = [
  'states:CreateStateMachine',
  'states:UpdateStateMachine',
  'states:PublishStateMachineVersion',
  'states:CreateStateMachineAlias',
  'states:UpdateStateMachineAlias',
  'states:DescribeStateMachineAlias',
  // Pruning old versions (Step Functions allows 1,000 per state machine): list them and the aliases' targets.
  'states:ListStateMachineVersions',
  'states:ListStateMachineAliases',
  'states:DeleteStateMachineVersion',
  // The stack's tags on each journey's state machine, at creation and on each deploy.
  'states:TagResource',
] as const;

export const JOURNEYS_AT_RUN_TIME =
  'Journey state machines are created at run time by deploy-journey, so access is scoped to the journey- name prefix.';

/**
 * Puts events on a bus under one source only. The customer bus takes the apps'
 * customer events too: a role of the stack that could put any source could put
 * `journeys.customer` events, which ingest takes as the customers' own
 * (consent included).
 */
export function putEventsAs(busArn: string, source: string): PolicyStatement {
  return new PolicyStatement({
    actions: ['events:PutEvents'],
    resources: [busArn],
    conditions: { StringEquals: { 'events:source': source } },
  });
}
