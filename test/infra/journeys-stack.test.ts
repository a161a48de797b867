import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName, type JourneysStack } from '#infra/journeys-stack.ts';
import { customerEventsPattern, smsDeliveryPattern } from '#infra/routes.ts';
import { DELIVERIES_TABLE, JOURNEYS_TABLE, PROFILES_TABLE, STATS_TABLE } from '#shared/tables.ts';
import { synthesize } from './synth.ts';

let stack: JourneysStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthesize());
});

const ref = (construct: { node: { defaultChild?: unknown } }) => {
  const child = construct.node.defaultChild;
  if (!(child instanceof Object) || !('logicalId' in child)) throw new Error('no CloudFormation resource');
  return stack.resolve(child.logicalId);
};
const resolve = (value: unknown) => stack.resolve(value);

describe('tables', () => {
  it.each([
    { name: 'profiles', definition: PROFILES_TABLE, ttl: undefined },
    { name: 'journeys', definition: JOURNEYS_TABLE, ttl: undefined },
    { name: 'deliveries', definition: DELIVERIES_TABLE, ttl: 'expiresAt' },
    { name: 'stats', definition: STATS_TABLE, ttl: 'expiresAt' },
  ] as const)(
    '$name: keys from shared/tables.ts, on demand, PITR, encrypted, retained',
    ({ name, definition, ttl }) => {
      // arrange
      const table = stack.tables[name];
      const keys = [definition.partitionKey, ...('sortKey' in definition ? [definition.sortKey] : [])];
      // act
      const resource = template.toJSON().Resources[ref(table)];
      // assert
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: keys.map((key, i) => ({ AttributeName: key.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
        AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
      });
      expect(resource.Properties.TimeToLiveSpecification).toEqual(
        ttl ? { AttributeName: ttl, Enabled: true } : undefined,
      );
    },
  );
});

describe('journeys bucket', () => {
  it('is versioned, encrypted, private and publishes to EventBridge', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
  });

  it('refuses requests without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ref(stack.journeys.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('uploads the repository journeys under journeys/, keeps what marketers added, after the deploy rule exists', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(1);
    const [deployment] = deployments;
    expect(deployment?.Properties).toMatchObject({
      DestinationBucketName: { Ref: ref(stack.journeys.bucket) },
      DestinationBucketKeyPrefix: 'journeys/',
      Prune: false,
      Exclude: ['demo/*'],
    });
    const deployRule = stack.routing.rules.find((rule) => rule.node.id === 'DeployJourneys');
    expect(deployRule).toBeDefined();
    expect(deployment?.DependsOn).toEqual(expect.arrayContaining([ref(deployRule ?? stack)]));
  });
});

describe('queues', () => {
  it.each(['deadLetters', 'rejectedEvents'] as const)('%s: encrypted, TLS only, kept 14 days', (name) => {
    const queue = name === 'deadLetters' ? stack.routing.deadLetters : stack.rejectedEvents;
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: ref(queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('event routing', () => {
  it('creates the customer event bus with the configured name', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'customer-events' });
  });

  const fnArn = (name: FunctionName) => resolve(stack.functions[name].functionArn);
  const rules = () => [
    {
      id: 'IngestCustomerEvents',
      bus: resolve(stack.routing.customerBus.eventBusName),
      pattern: { source: customerEventsPattern.source, 'detail-type': customerEventsPattern['detail-type'] },
      target: fnArn('ingest'),
    },
    {
      id: 'EmailFeedback',
      bus: 'default',
      pattern: {
        source: ['aws.ses'],
        detail: {
          mail: {
            tags: {
              'ses:configuration-set': [resolve(stack.messaging.configurationSet.configurationSetName)],
            },
          },
        },
      },
      target: fnArn('delivery-feedback'),
    },
    { id: 'SmsFeedback', bus: 'default', pattern: smsDeliveryPattern, target: fnArn('delivery-feedback') },
    {
      id: 'ExecutionStatus',
      bus: 'default',
      pattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: [{ wildcard: 'arn:aws:states:*:*:stateMachine:journey-*' }],
        },
      },
      target: fnArn('execution-status'),
    },
    {
      id: 'DeployJourneys',
      bus: 'default',
      pattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created', 'Object Deleted'],
        detail: {
          bucket: { name: [resolve(stack.journeys.bucket.bucketName)] },
          object: { key: [{ wildcard: 'journeys/*.json' }] },
        },
      },
      target: fnArn('deploy-journey'),
    },
  ];

  it('routes each event to its function with retries and the dead-letter queue', () => {
    for (const expected of rules()) {
      const rule = stack.routing.rules.find((r) => r.node.id === expected.id);
      expect(rule, expected.id).toBeDefined();
      const resource = template.toJSON().Resources[ref(rule ?? stack)];
      expect(resource.Properties.EventBusName, expected.id).toEqual(expected.bus);
      expect(resource.Properties.EventPattern, expected.id).toMatchObject(expected.pattern);
      expect(resource.Properties.Targets, expected.id).toEqual([
        expect.objectContaining({
          Arn: expected.target,
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 6 * 3600 },
          DeadLetterConfig: { Arn: resolve(stack.routing.deadLetters.queueArn) },
        }),
      ]);
    }
  });

  it('lets EventBridge invoke each routed function, from its rule only', () => {
    for (const expected of rules()) {
      const rule = stack.routing.rules.find((r) => r.node.id === expected.id);
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        FunctionName: expected.target,
        SourceArn: resolve(rule?.ruleArn),
      });
    }
  });
});

describe('functions', () => {
  const common = [
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_METRICS_NAMESPACE',
    'POWERTOOLS_LOG_LEVEL',
    'NODE_OPTIONS',
  ];
  const env: Record<FunctionName, string[]> = {
    ingest: [
      'PROFILES_TABLE_NAME',
      'ENROLLMENTS_TABLE_NAME',
      'JOURNEYS_TABLE_NAME',
      'STATS_TABLE_NAME',
      'REJECTED_QUEUE_URL',
    ],
    'send-message': [
      'PROFILES_TABLE_NAME',
      'ENROLLMENTS_TABLE_NAME',
      'DELIVERIES_TABLE_NAME',
      'STATS_TABLE_NAME',
      'JOURNEYS_TABLE_NAME',
      'SES_CONFIGURATION_SET',
      'SENDER_EMAIL',
      'PINPOINT_APPLICATION_ID',
      'UNSUBSCRIBE_BASE_URL',
      'UNSUBSCRIBE_SECRET_ARN',
    ],
    evaluate: ['PROFILES_TABLE_NAME', 'STATS_TABLE_NAME'],
    'await-event': [
      'PROFILES_TABLE_NAME',
      'ENROLLMENTS_TABLE_NAME',
      'JOURNEYS_TABLE_NAME',
      'DELIVERIES_TABLE_NAME',
    ],
    'deploy-journey': [
      'JOURNEYS_BUCKET_NAME',
      'JOURNEYS_TABLE_NAME',
      'EVENT_BUS_NAME',
      'JOURNEY_ROLE_ARN',
      'JOURNEY_LOG_GROUP_ARN',
      'SEND_MESSAGE_FUNCTION_ARN',
      'EVALUATE_FUNCTION_ARN',
      'AWAIT_EVENT_FUNCTION_ARN',
      'SEGMENT_ENTRY_FUNCTION_ARN',
      'SCHEDULER_ROLE_ARN',
      'SCHEDULE_GROUP_NAME',
    ],
    'delivery-feedback': [
      'PROFILES_TABLE_NAME',
      'STATS_TABLE_NAME',
      'DELIVERIES_TABLE_NAME',
      'ENROLLMENTS_TABLE_NAME',
    ],
    'execution-status': ['PROFILES_TABLE_NAME', 'ENROLLMENTS_TABLE_NAME', 'STATS_TABLE_NAME'],
  };

  it.each(FUNCTION_NAMES)(
    '%s: Node.js 22 on arm64, ESM handler, X-Ray, own log group, its variables',
    (name) => {
      const fn = stack.functions[name];
      const resource = template.toJSON().Resources[ref(fn.function)];
      expect(resource.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: ref(fn.logGroup) } },
        Role: resolve(fn.role.roleArn),
      });
      expect(Object.keys(resource.Properties.Environment.Variables).sort()).toEqual(
        [...common, ...env[name]].sort(),
      );
      expect(resource.Properties.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: name,
        POWERTOOLS_METRICS_NAMESPACE: 'Journeys',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    },
  );
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };
type Normalized = { actions: string[]; resources: unknown[]; condition?: unknown };

/** The statements of the policies attached to a role, actions sorted, comparable as a set. */
function statementsOf(roleLogicalId: string): Normalized[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    policy.Properties.Roles.some((role: { Ref?: string }) => role.Ref === roleLogicalId),
  );
  return policies
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
    .map(normalize)
    .sort(byJson);
}

function normalize(statement: {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}): Normalized {
  const actions = [statement.Action].flat().sort();
  const resources = [statement.Resource].flat();
  return statement.Condition
    ? { actions, resources, condition: statement.Condition }
    : { actions, resources };
}

/** A Step Functions ARN in this stack's account and region, as the template spells it. */
const statesArn = (resource: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':states:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${resource}`,
    ],
  ],
});

const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

describe('IAM: exactly what each role may do', () => {
  const READ = [
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:Scan',
  ];
  const READ_WRITE = [
    ...READ,
    'dynamodb:BatchWriteItem',
    'dynamodb:DeleteItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ].sort();
  const XRAY = { actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resources: ['*'] };

  const expected = (): Record<FunctionName, Normalized[]> => {
    const t = stack.tables;
    const arn = (value: string) => resolve(value);
    const table = (
      name: 'profiles' | 'journeys' | 'deliveries' | 'stats' | 'enrollments',
      actions: string[],
    ) => ({
      actions,
      resources: [arn(t[name].tableArn)],
    });
    const stateMachines = statesArn('stateMachine:journey-*');
    const executions = statesArn('execution:journey-*:*');
    const logs = (name: FunctionName) => ({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [arn(stack.functions[name].logGroup.logGroupArn)],
    });
    const signingKey = () => ({
      actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      resources: [arn(stack.unsubscribe.signingKey.secretArn)],
    });
    const bucketObjects = arn(stack.journeys.bucket.arnForObjects('journeys/*'));
    const listJourneys = {
      actions: ['s3:ListBucket'],
      resources: [arn(stack.journeys.bucket.bucketArn)],
      condition: { StringLike: { 's3:prefix': ['journeys/*'] } },
    };
    return {
      ingest: [
        logs('ingest'),
        XRAY,
        table('profiles', READ_WRITE),
        table('enrollments', READ_WRITE),
        table('journeys', READ_WRITE),
        table('stats', READ_WRITE),
        {
          actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          resources: [arn(stack.rejectedEvents.queueArn)],
        },
        { actions: ['states:StartExecution'], resources: [stateMachines] },
        { actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [executions] },
        { actions: ['states:SendTaskFailure', 'states:SendTaskSuccess'], resources: ['*'] },
      ],
      'send-message': [
        logs('send-message'),
        XRAY,
        table('profiles', READ_WRITE),
        table('enrollments', READ_WRITE),
        table('deliveries', READ_WRITE),
        table('stats', READ_WRITE),
        table('journeys', READ),
        signingKey(),
        {
          actions: ['ses:SendEmail'],
          resources: [
            arn(
              Stack.of(stack).formatArn({
                service: 'ses',
                resource: 'identity',
                resourceName: 'example.com',
              }),
            ),
            arn(
              Stack.of(stack).formatArn({
                service: 'ses',
                resource: 'configuration-set',
                resourceName: stack.messaging.configurationSet.configurationSetName,
              }),
            ),
          ],
        },
        {
          actions: ['mobiletargeting:SendMessages'],
          resources: [
            arn(
              Stack.of(stack).formatArn({
                service: 'mobiletargeting',
                resource: 'apps',
                resourceName: `${stack.messaging.pinpointApplicationId}/messages`,
              }),
            ),
          ],
        },
      ],
      evaluate: [logs('evaluate'), XRAY, table('profiles', READ_WRITE), table('stats', READ_WRITE)],
      'await-event': [
        logs('await-event'),
        XRAY,
        table('profiles', READ_WRITE),
        table('enrollments', READ_WRITE),
        table('journeys', READ),
        table('deliveries', READ),
        { actions: ['states:SendTaskSuccess'], resources: ['*'] },
      ],
      'deploy-journey': [
        logs('deploy-journey'),
        XRAY,
        {
          actions: ['s3:DeleteObject', 's3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
          resources: [bucketObjects],
        },
        listJourneys,
        table('journeys', READ_WRITE),
        { actions: ['events:PutEvents'], resources: [arn(stack.routing.customerBus.eventBusArn)] },
        {
          actions: [
            'states:CreateStateMachine',
            'states:CreateStateMachineAlias',
            'states:DescribeStateMachine',
            'states:DescribeStateMachineAlias',
            'states:PublishStateMachineVersion',
            'states:UpdateStateMachine',
            'states:UpdateStateMachineAlias',
          ],
          resources: [stateMachines],
        },
        {
          actions: ['iam:PassRole'],
          resources: [arn(stack.journeyExecution.role.roleArn)],
          condition: { StringEquals: { 'iam:PassedToService': 'states.amazonaws.com' } },
        },
        {
          actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule'],
          resources: [
            arn(
              Stack.of(stack).formatArn({
                service: 'scheduler',
                resource: 'schedule',
                resourceName: `${stack.segmentEntry.scheduleGroup.ref}/journey-*`,
              }),
            ),
          ],
        },
        {
          actions: ['iam:PassRole'],
          resources: [arn(stack.segmentEntry.schedulerRole.roleArn)],
          condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        },
      ],
      'delivery-feedback': [
        logs('delivery-feedback'),
        XRAY,
        table('profiles', READ_WRITE),
        table('stats', READ_WRITE),
        table('deliveries', READ_WRITE),
        table('enrollments', READ_WRITE),
        { actions: ['states:SendTaskSuccess'], resources: ['*'] },
      ],
      'execution-status': [
        logs('execution-status'),
        XRAY,
        table('profiles', READ_WRITE),
        table('enrollments', READ_WRITE),
        table('stats', READ_WRITE),
      ],
    };
  };

  it.each(FUNCTION_NAMES)('%s', (name) => {
    // act
    const actual = statementsOf(ref(stack.functions[name].role));
    // assert
    expect(actual).toEqual(expected()[name].sort(byJson));
  });

  it('journey execution role: invoke the task functions, update profiles, put events, deliver logs', () => {
    const arn = (value: string) => resolve(value);
    const actual = statementsOf(ref(stack.journeyExecution.role));
    expect(actual).toEqual(
      [
        {
          actions: ['lambda:InvokeFunction'],
          resources: (['send-message', 'evaluate', 'await-event'] as const).map((n) =>
            arn(stack.functions[n].functionArn),
          ),
        },
        { actions: ['dynamodb:UpdateItem'], resources: [arn(stack.tables.profiles.tableArn)] },
        { actions: ['events:PutEvents'], resources: [arn(stack.routing.customerBus.eventBusArn)] },
        {
          actions: [
            'logs:CreateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:DescribeLogGroups',
            'logs:DescribeResourcePolicies',
            'logs:GetLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:UpdateLogDelivery',
          ],
          resources: ['*'],
        },
      ].sort(byJson),
    );
  });

  it('journey execution role: only journey state machines of this account assume it', () => {
    const role = template.toJSON().Resources[ref(stack.journeyExecution.role)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'states.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': statesArn('stateMachine:journey-*') },
        },
      },
    ]);
  });

  it('no statement grants every resource except those whose actions take none', () => {
    const unscoped = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => [statement.Resource].flat().includes('*'))
      .flatMap((statement) => [statement.Action].flat());
    expect([...new Set(unscoped)].sort()).toEqual(
      [
        'logs:CreateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:DescribeLogGroups',
        'logs:DescribeResourcePolicies',
        'logs:GetLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:UpdateLogDelivery',
        'states:SendTaskFailure',
        'states:SendTaskSuccess',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });
});
