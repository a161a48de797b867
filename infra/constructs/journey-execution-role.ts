import { Fn, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { JOURNEY_EVENT_SOURCE } from '#shared/event-sources.ts';
import { journeyStateMachinesArn, stackJourneyPrefix } from './journey-arns.ts';
import type { LogSettings } from './log-settings.ts';
import { putEventsAs } from './permissions.ts';

/** What Step Functions needs to deliver execution logs (these actions take no resource ARN). */
const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
] as const;

export interface JourneyExecutionRoleProps {
  readonly taskFunctions: readonly IFunction[];
  readonly profiles: ITable;
  readonly bus: IEventBus;
  readonly logs: LogSettings;
}

/**
 * The one role every generated journey state machine runs as: invoke the task
 * functions, update profiles (updateProfile steps), put events on the bus
 * (emit steps) and deliver execution logs. Only journey state machines of
 * this account can assume it.
 */
export class JourneyExecutionRole extends Construct {
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: JourneyExecutionRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new Role(this, 'Role', {
      description: `Journey state machines (${stackJourneyPrefix(this)}*)`,
      assumedBy: new ServicePrincipal('states.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': journeyStateMachinesArn(this) },
      }),
    });
    this.logGroup = new LogGroup(this, 'Logs', {
      // The vendedlogs prefix keeps the log resource policy small however many journeys log here.
      // The stack id (new each time the stack is created) ends the name: the group outlives a
      // `cdk destroy` with retainData, and CloudFormation creates no group under a name that exists.
      logGroupName: `/aws/vendedlogs/states/${stack.stackName}-journeys-${Fn.select(2, Fn.split('/', stack.stackId))}`,
      retention: props.logs.retention,
      removalPolicy: props.logs.removalPolicy,
      encryptionKey: props.logs.encryptionKey,
    });
    // The unqualified ARNs only: the compiled ASL invokes $LATEST of each task function.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: props.taskFunctions.map((fn) => fn.functionArn),
      }),
    );
    props.profiles.grant(this.role, 'dynamodb:UpdateItem');
    this.role.addToPrincipalPolicy(putEventsAs(props.bus.eventBusArn, JOURNEY_EVENT_SOURCE));
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...LOG_DELIVERY_ACTIONS], resources: ['*'] }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'CloudWatch Logs delivery actions for Step Functions support no resource-level permissions.',
    });
  }
}
