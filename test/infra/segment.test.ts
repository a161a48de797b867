import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JourneysStack } from '#infra/journeys-stack.ts';
import { synthesizeDefaults } from './synth.ts';

let stack: JourneysStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthesizeDefaults());
});

const resolve = (value: unknown) => stack.resolve(value);
const logicalId = (construct: { node: { defaultChild?: unknown } }) => {
  const child = construct.node.defaultChild;
  if (!(child instanceof Object) || !('logicalId' in child)) throw new Error('no CloudFormation resource');
  return resolve(child.logicalId);
};

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** Every statement of the policies attached to a role, actions as a sorted list. */
function statementsOf(roleId: string) {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
    .map((s) => ({
      actions: [s.Action].flat().sort(),
      resources: [s.Resource].flat(),
      ...(s.Condition ? { condition: s.Condition } : {}),
    }));
}

const schedulesArn = () => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':scheduler:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':schedule/',
      { Ref: resolve(stack.segmentEntry.scheduleGroup.logicalId) },
      '/journey-*',
    ],
  ],
});

describe('segment entry', () => {
  it('has a schedule group named after the stack', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'Journeys-journeys' });
  });

  it('queues work encrypted, TLS only, with a dead-letter queue', () => {
    const { queue, deadLetters } = stack.segmentEntry;
    const resource = template.toJSON().Resources[logicalId(queue)];
    expect(resource.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: resolve(deadLetters.queueArn), maxReceiveCount: 5 },
    });
    const dlq = template.toJSON().Resources[logicalId(deadLetters)];
    expect(dlq.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('feeds the worker in small batches, with bounded concurrency and partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: resolve(stack.segmentEntry.queue.queueArn),
      FunctionName: { Ref: logicalId(stack.segmentEntry.fn.function) },
      BatchSize: 2,
      ScalingConfig: { MaximumConcurrency: 10 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('paces the workers to the start rate setting, shared among them', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Description: Match.stringLikeRegexp('^Segment journeys'),
      Environment: {
        Variables: Match.objectLike({ SEGMENT_START_RATE: '280', SEGMENT_WORKERS: '10' }),
      },
    });
  });

  it('lets Scheduler invoke only the segment-entry function, from this account', () => {
    const { schedulerRole, fn } = stack.segmentEntry;
    const role = template.toJSON().Resources[logicalId(schedulerRole)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    expect(statementsOf(logicalId(schedulerRole))).toEqual([
      { actions: ['lambda:InvokeFunction'], resources: [resolve(fn.functionArn)] },
      // A run it could not invoke with goes to the dead-letter queue, as the schedule's role.
      { actions: ['sqs:SendMessage'], resources: [resolve(stack.routing.deadLetters.queueArn)] },
    ]);
  });

  it('keeps a scheduled run that failed at every attempt in the alarmed dead-letter queue', () => {
    // Scheduler invokes segment-entry asynchronously: a run the function keeps failing on
    // (its fan-out could not write the run record or queue the scans) is handed on after Lambda's retries.
    const { fn } = stack.segmentEntry;
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(fn.function) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: resolve(stack.routing.deadLetters.queueArn) } },
    });
    expect(statementsOf(logicalId(fn.role))).toContainEqual({
      actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
      resources: [resolve(stack.routing.deadLetters.queueArn)],
    });
    // The schedules deploy-journey creates name the same queue for runs Scheduler could not hand over.
    const deployer = template.toJSON().Resources[logicalId(stack.functions['deploy-journey'].function)];
    expect(deployer.Properties.Environment.Variables.SCHEDULE_DEAD_LETTER_ARN).toEqual(
      resolve(stack.routing.deadLetters.queueArn),
    );
  });

  it('gives segment-entry its tables, its queue and StartExecution on journeys only', () => {
    const { fn, queue } = stack.segmentEntry;
    const actual = statementsOf(logicalId(fn.role));
    const arn = (construct: { tableArn: string }) => resolve(construct.tableArn);
    expect(actual).toEqual(
      expect.arrayContaining([
        // Scanned, and its size read to choose a run's Scan segments.
        expect.objectContaining({
          actions: expect.arrayContaining(['dynamodb:DescribeTable', 'dynamodb:Scan']),
          resources: [arn(stack.tables.profiles)],
        }),
        expect.objectContaining({ resources: [arn(stack.tables.stats)] }),
        expect.objectContaining({ resources: [arn(stack.tables.enrollments)] }),
        {
          // Read and write: an experiment that ends on entry records its decision.
          actions: [
            'dynamodb:BatchGetItem',
            'dynamodb:BatchWriteItem',
            'dynamodb:ConditionCheckItem',
            'dynamodb:DeleteItem',
            'dynamodb:DescribeTable',
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:Query',
            'dynamodb:Scan',
            'dynamodb:UpdateItem',
          ],
          resources: [arn(stack.tables.journeys)],
        },
        {
          actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          resources: [resolve(queue.queueArn)],
        },
        {
          actions: [
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
          ],
          resources: [resolve(queue.queueArn)],
        },
        {
          actions: ['states:StartExecution'],
          resources: [
            {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':states:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':stateMachine:journey-*',
                ],
              ],
            },
          ],
        },
      ]),
    );
    expect(actual.flatMap((s) => s.actions).filter((a) => a.startsWith('states:'))).toEqual([
      'states:StartExecution',
    ]);
    expect(actual).toContainEqual({
      actions: ['events:PutEvents'],
      resources: [resolve(stack.routing.customerBus.eventBusArn)],
      condition: { StringEquals: { 'events:source': 'journeys.system' } },
    });
    expect(actual).toHaveLength(11);
  });

  it('lets deploy-journey manage journey schedules of the group and pass the scheduler role only', () => {
    const deployer = stack.functions['deploy-journey'];
    const actual = statementsOf(logicalId(deployer.role));
    expect(actual).toEqual(
      expect.arrayContaining([
        {
          actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule'],
          resources: [schedulesArn()],
        },
        {
          actions: ['iam:PassRole'],
          resources: [resolve(stack.segmentEntry.schedulerRole.roleArn)],
          condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        },
      ]),
    );
    const resource = template.toJSON().Resources[logicalId(deployer.function)];
    expect(resource.Properties.Environment.Variables).toMatchObject({
      SEGMENT_ENTRY_FUNCTION_ARN: resolve(stack.segmentEntry.fn.functionArn),
      SCHEDULER_ROLE_ARN: resolve(stack.segmentEntry.schedulerRole.roleArn),
      SCHEDULE_GROUP_NAME: { Ref: resolve(stack.segmentEntry.scheduleGroup.logicalId) },
    });
  });

  it('passes cdk-nag AwsSolutions', () => {
    const report = new AwsSolutionsChecks().validateScope(stack.segmentEntry);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
    );
    const deployer = new AwsSolutionsChecks().validateScope(stack.functions['deploy-journey']);
    const deployerFindings = deployer.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
    );
    expect([...findings, ...deployerFindings]).toEqual([]);
  });
});
