import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Access,
  BINDING_NAMES,
  type BindingName,
  type BindingOptions,
  type Bindings,
  DEFAULT_TIMEOUT_SECONDS,
  variablesOf as manifestVariables,
  TASK_FUNCTION_VARIABLES,
  VARIABLES,
  type VariableName,
} from '#functions/_lib/manifest.ts';
import { FUNCTION_NAMES, MANIFESTS, manifestOf } from '#functions/manifests.ts';
import { type FunctionName, type JourneysStack, PROJECT_ROOT } from '#infra/journeys-stack.ts';
import { smsDeliveryPattern } from '#infra/routes.ts';
import {
  DELIVERIES_TABLE,
  ENROLLMENTS_TABLE,
  JOURNEYS_TABLE,
  PROFILES_TABLE,
  STATS_TABLE,
} from '#shared/tables.ts';
import { synthesizeDefaults } from './synth.ts';

let stack: JourneysStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthesizeDefaults());
});

const ref = (construct: { node: { defaultChild?: unknown } }) => {
  const child = construct.node.defaultChild;
  if (!(child instanceof Object) || !('logicalId' in child)) throw new Error('no CloudFormation resource');
  return stack.resolve(child.logicalId);
};
const resolve = (value: unknown) => stack.resolve(value);

type CfnResource = { DeletionPolicy?: string; Properties?: Record<string, unknown> };

describe('tables', () => {
  it.each([
    { name: 'profiles', definition: PROFILES_TABLE, ttl: undefined },
    { name: 'journeys', definition: JOURNEYS_TABLE, ttl: 'expiresAt' },
    { name: 'deliveries', definition: DELIVERIES_TABLE, ttl: 'expiresAt' },
    { name: 'stats', definition: STATS_TABLE, ttl: 'expiresAt' },
    { name: 'enrollments', definition: ENROLLMENTS_TABLE, ttl: 'expiresAt' },
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

describe('what cdk destroy keeps', () => {
  it('has no name of its own unless the name holds the stack id, so the stack can be created again', () => {
    // arrange: a kept resource outlives the stack, and CloudFormation will not create one of the same name
    const kept = Object.entries(template.toJSON().Resources as Record<string, CfnResource>).filter(
      ([, resource]) => resource.DeletionPolicy === 'Retain',
    );
    // act
    const fixedNames = kept.flatMap(([id, resource]) =>
      Object.entries(resource.Properties ?? {})
        .filter(([key, value]) => key.endsWith('Name') && !JSON.stringify(value).includes('AWS::StackId'))
        .map(([key, value]) => `${id}.${key} = ${JSON.stringify(value)}`),
    );
    // assert
    expect(kept.length).toBeGreaterThan(0);
    expect(fixedNames).toEqual([]);
  });

  it('keeps what holds data, the key of the links in emails sent included, and nothing else', () => {
    // arrange: with retainData (the default) a stack destroyed and created again reads what it kept
    const resources = template.toJSON().Resources as Record<string, CfnResource & { Type: string }>;
    // act
    const kept = Object.entries(resources)
      .filter(([, r]) => r.DeletionPolicy === 'Retain')
      .map(([id, r]) => (r.Type === 'AWS::Logs::LogGroup' ? r.Type : `${r.Type} ${id}`));
    // assert: the alarm topic's key encrypts only the topic, which goes with the stack
    expect(new Set(kept)).toEqual(
      new Set([
        'AWS::DynamoDB::Table TablesProfiles742D2D94',
        'AWS::DynamoDB::Table TablesJourneysB1C6B0A7',
        'AWS::DynamoDB::Table TablesDeliveries21CE5B69',
        'AWS::DynamoDB::Table TablesStats3C6E56A7',
        'AWS::DynamoDB::Table TablesEnrollments4E670C2D',
        'AWS::S3::Bucket JourneysBucketE561B58D',
        'AWS::Logs::LogGroup',
        `AWS::SecretsManager::Secret ${ref(stack.unsubscribe.signingKey)}`,
      ]),
    );
  });

  it('holds the unsubscribe signing key across releases: a new logical id would be a new key, refusing every link sent', () => {
    expect(ref(stack.unsubscribe.signingKey)).toBe('UnsubscribeSigningKey5203AA99');
  });

  it('holds the data of the release before: each table and the bucket keep their logical id and keys', () => {
    // arrange: CloudFormation replaces a resource whose logical id or key schema changes — an empty
    // table or bucket beside the kept one, which the functions would then read. A change to this
    // list needs a data migration, not an upgrade.
    const resources = template.toJSON().Resources as Record<string, CfnResource & { Type: string }>;
    // act
    const stores = Object.fromEntries(
      Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table' || r.Type === 'AWS::S3::Bucket')
        .map(([id, r]) => [id, r.Properties?.KeySchema ?? r.Type]),
    );
    // assert
    const key = (name: string, type: 'HASH' | 'RANGE') => ({ AttributeName: name, KeyType: type });
    expect(stores).toEqual({
      TablesProfiles742D2D94: [key('userId', 'HASH')],
      TablesJourneysB1C6B0A7: [key('journeyId', 'HASH'), key('sk', 'RANGE')],
      TablesDeliveries21CE5B69: [key('deliveryId', 'HASH')],
      TablesStats3C6E56A7: [key('pk', 'HASH'), key('sk', 'RANGE')],
      TablesEnrollments4E670C2D: [key('userId', 'HASH'), key('sk', 'RANGE')],
      JourneysBucketE561B58D: 'AWS::S3::Bucket',
    });
  });
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
      pattern: { source: ['journeys.customer'] },
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
    {
      id: 'SmsFeedback',
      bus: 'default',
      pattern: smsDeliveryPattern(resolve(stack.messaging.configurationSet.configurationSetName)),
      target: fnArn('delivery-feedback'),
    },
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
          object: { key: [{ prefix: 'journeys/' }] },
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

  it('sends an event its function still fails on, after Lambda retried it, to the same dead-letter queue', () => {
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));
    // A target is the function's Arn attribute; its invoke configuration names the function by Ref.
    const logicalIds = new Set(rules().map((r) => JSON.stringify(r.target['Fn::GetAtt'][0])));
    expect(logicalIds.size).toBeGreaterThanOrEqual(4);
    // EventBridge Scheduler invokes segment-entry asynchronously too (a segment journey's runs).
    logicalIds.add(JSON.stringify(ref(stack.segmentEntry.fn.function)));
    expect(configs).toHaveLength(logicalIds.size);
    for (const id of logicalIds) {
      const config = configs.find((c) => JSON.stringify(c.Properties.FunctionName.Ref) === id);
      expect(config, id).toBeDefined();
      expect(config?.Properties).toMatchObject({
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 6 * 3600,
        DestinationConfig: { OnFailure: { Destination: resolve(stack.routing.deadLetters.queueArn) } },
      });
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

describe('functions: built from their manifests', () => {
  const common = [
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_METRICS_NAMESPACE',
    'POWERTOOLS_LOG_LEVEL',
    'NODE_OPTIONS',
  ];
  const variablesOf = (name: FunctionName) =>
    Object.fromEntries(
      Object.entries(
        template.toJSON().Resources[ref(stack.functions[name].function)].Properties.Environment.Variables,
      ),
    );

  /** What each variable the stack sets must be, spelled independently of the bindings that set it. */
  const expectedValue = (): Record<VariableName, unknown> => ({
    PROFILES_TABLE_NAME: resolve(stack.tables.profiles.tableName),
    JOURNEYS_TABLE_NAME: resolve(stack.tables.journeys.tableName),
    DELIVERIES_TABLE_NAME: resolve(stack.tables.deliveries.tableName),
    STATS_TABLE_NAME: resolve(stack.tables.stats.tableName),
    ENROLLMENTS_TABLE_NAME: resolve(stack.tables.enrollments.tableName),
    EVENT_BUS_NAME: resolve(stack.routing.customerBus.eventBusName),
    JOURNEYS_BUCKET_NAME: resolve(stack.journeys.bucket.bucketName),
    SES_CONFIGURATION_SET: resolve(stack.messaging.configurationSet.configurationSetName),
    SENDER_EMAIL: 'journeys@example.com',
    PINPOINT_APPLICATION_ID: resolve(stack.messaging.pinpointApplicationId),
    UNSUBSCRIBE_BASE_URL: resolve(stack.unsubscribe.url),
    UNSUBSCRIBE_SECRET_ARN: resolve(stack.unsubscribe.signingKey.secretArn),
    REJECTED_QUEUE_URL: resolve(stack.rejectedEvents.queueUrl),
    SEGMENT_QUEUE_URL: resolve(stack.segmentEntry.queue.queueUrl),
    JOURNEY_ROLE_ARN: resolve(stack.journeyExecution.role.roleArn),
    JOURNEY_LOG_GROUP_ARN: resolve(stack.journeyExecution.logGroup.logGroupArn),
    SEND_MESSAGE_FUNCTION_ARN: resolve(stack.functions['send-message'].functionArn),
    EVALUATE_FUNCTION_ARN: resolve(stack.functions.evaluate.functionArn),
    AWAIT_EVENT_FUNCTION_ARN: resolve(stack.functions['await-event'].functionArn),
    // No webhookConnections setting: none exist, and deploy-journey rejects a journey naming one.
    WEBHOOK_CONNECTIONS: '{}',
    // No tags setting: the journey state machines get none.
    JOURNEY_TAGS: '{}',
    // Twenty versions to roll back to by default; older ones are pruned after each deploy.
    JOURNEY_VERSIONS_KEPT: '20',
    // The stack named Journeys keeps the names of every earlier release.
    JOURNEY_NAME_PREFIX: 'journey-',
    SEGMENT_ENTRY_FUNCTION_ARN: resolve(stack.segmentEntry.fn.functionArn),
    SCHEDULER_ROLE_ARN: resolve(stack.segmentEntry.schedulerRole.roleArn),
    SCHEDULE_GROUP_NAME: resolve(stack.segmentEntry.scheduleGroup.ref),
    SCHEDULE_DEAD_LETTER_ARN: resolve(stack.routing.deadLetters.queueArn),
    // No aliasTrustedSources setting: no source's alias merges two known customers.
    ALIAS_TRUSTED_SOURCES: '[]',
    // The default rate, just under the large Regions' 300/s refill, shared by ten workers.
    SEGMENT_START_RATE: '280',
    SEGMENT_WORKERS: '10',
    // Only the local runtime sets these.
    S3_FORCE_PATH_STYLE: undefined,
    UNSUBSCRIBE_SIGNING_KEY: undefined,
  });

  it('builds every function folder', async () => {
    const folders = (await readdir(join(PROJECT_ROOT, 'functions'), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_'))
      .map((entry) => entry.name);
    expect(Object.keys(stack.functions).sort()).toEqual(folders.sort());
  });

  it.each(FUNCTION_NAMES)(
    '%s: Node.js 22 on arm64, ESM handler, X-Ray, own log group, its manifest',
    (name) => {
      const fn = stack.functions[name];
      const manifest = manifestOf(name);
      const resource = template.toJSON().Resources[ref(fn.function)];
      expect(resource.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: ref(fn.logGroup) } },
        Role: resolve(fn.role.roleArn),
        Description: manifest.description,
        Timeout: manifest.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      });
      expect(resource.Properties.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: name,
        POWERTOOLS_METRICS_NAMESPACE: 'Journeys',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    },
  );

  it.each(FUNCTION_NAMES)(
    '%s: exactly the variables its manifest binds, each naming its resource',
    (name) => {
      // arrange: every variable of the manifest but those only the local runtime sets
      const values = expectedValue();
      const expected = Object.fromEntries(
        manifestVariables(manifestOf(name).bindings)
          .filter((variable) => VARIABLES[variable].setBy !== 'local')
          .map((variable) => [variable, values[variable]]),
      );
      // act
      const actual = variablesOf(name);
      // assert
      for (const key of common) delete actual[key];
      expect(actual).toEqual(expected);
    },
  );

  it('a variable one side does not set is optional, and only two are set locally alone', () => {
    for (const [variable, spec] of Object.entries(VARIABLES)) {
      if (spec.setBy === 'both') continue;
      expect(spec.schema.safeParse(undefined).success, variable).toBe(true);
    }
    const localOnly = Object.entries(VARIABLES).filter(([, spec]) => spec.setBy === 'local');
    expect(localOnly.map(([variable]) => variable).sort()).toEqual(
      ['S3_FORCE_PATH_STYLE', 'UNSUBSCRIBE_SIGNING_KEY'].sort(),
    );
  });

  it('deploy-journey learns every task function, and each task function has its own variable', () => {
    const tasks = MANIFESTS.flatMap((m) => (m.task === undefined ? [] : [{ ...m.task, name: m.name }]));
    expect(tasks.map((task) => task.arnVariable).sort()).toEqual([...TASK_FUNCTION_VARIABLES].sort());
    const env = variablesOf('deploy-journey');
    for (const task of tasks)
      expect(env[task.arnVariable], task.name).toEqual(resolve(stack.functions[task.name].functionArn));
  });
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
  const SEND_TO_QUEUE = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];

  /** The statements each binding must grant, spelled out here, independently of the stack's binders. */
  const grants = (): { [K in BindingName]: (option: BindingOptions[K]) => Normalized[] } => {
    const arn = (value: string) => resolve(value);
    const table =
      (name: 'profiles' | 'journeys' | 'deliveries' | 'stats' | 'enrollments') => (access: Access) => [
        { actions: access === 'read' ? READ : READ_WRITE, resources: [arn(stack.tables[name].tableArn)] },
      ];
    const formatArn = (service: string, resource: string, resourceName: string) =>
      arn(Stack.of(stack).formatArn({ service, resource, resourceName }));
    return {
      profilesTable: table('profiles'),
      journeysTable: table('journeys'),
      deliveriesTable: table('deliveries'),
      statsTable: table('stats'),
      enrollmentsTable: table('enrollments'),
      journeysBucket: (access) => [
        {
          actions: ['s3:GetObject', 's3:GetObjectVersion']
            .concat(access === 'readWrite' ? ['s3:DeleteObject', 's3:PutObject'] : [])
            .sort(),
          resources: [arn(stack.journeys.bucket.arnForObjects('journeys/*'))],
        },
        {
          actions: ['s3:ListBucket'],
          resources: [arn(stack.journeys.bucket.bucketArn)],
          condition: { StringLike: { 's3:prefix': ['journeys/*'] } },
        },
      ],
      // The product's notifications only: no customer event (consent) from a function of the stack.
      eventBus: () => [
        {
          actions: ['events:PutEvents'],
          resources: [arn(stack.routing.customerBus.eventBusArn)],
          condition: { StringEquals: { 'events:source': 'journeys.system' } },
        },
      ],
      rejectedQueue: () => [{ actions: SEND_TO_QUEUE, resources: [arn(stack.rejectedEvents.queueArn)] }],
      segmentQueue: () => [{ actions: SEND_TO_QUEUE, resources: [arn(stack.segmentEntry.queue.queueArn)] }],
      emailSending: () => [
        {
          actions: ['ses:SendEmail'],
          resources: [
            formatArn('ses', 'identity', 'example.com'),
            formatArn('ses', 'configuration-set', stack.messaging.configurationSet.configurationSetName),
          ],
        },
      ],
      mobileMessaging: () => [
        {
          actions: ['mobiletargeting:SendMessages'],
          resources: [
            formatArn('mobiletargeting', 'apps', `${stack.messaging.pinpointApplicationId}/messages`),
          ],
        },
      ],
      unsubscribeLinks: () => [],
      segmentPacing: () => [],
      aliasTrust: () => [],
      signingKey: () => [
        {
          actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          resources: [arn(stack.unsubscribe.signingKey.secretArn)],
        },
      ],
      journeyExecutions: (scope) => [
        ...(scope === 'describe'
          ? [{ actions: ['states:DescribeExecution'], resources: [statesArn('execution:journey-*:*')] }]
          : [{ actions: ['states:StartExecution'], resources: [statesArn('stateMachine:journey-*')] }]),
        ...(scope === 'startAndStop'
          ? [
              {
                actions: ['states:StopExecution'],
                resources: [statesArn('execution:journey-*:*')],
              },
            ]
          : []),
      ],
      taskCallbacks: (callbacks) => [
        {
          actions: callbacks
            .map((c) => (c === 'success' ? 'states:SendTaskSuccess' : 'states:SendTaskFailure'))
            .sort(),
          resources: ['*'],
        },
      ],
      journeyDeployment: () => [
        {
          actions: [
            'states:CreateStateMachine',
            'states:CreateStateMachineAlias',
            'states:DeleteStateMachineVersion',
            'states:DescribeStateMachineAlias',
            'states:ListStateMachineAliases',
            'states:ListStateMachineVersions',
            'states:PublishStateMachineVersion',
            'states:TagResource',
            'states:UpdateStateMachine',
            'states:UpdateStateMachineAlias',
          ],
          resources: [statesArn('stateMachine:journey-*')],
        },
        {
          actions: ['iam:PassRole'],
          resources: [arn(stack.journeyExecution.role.roleArn)],
          condition: { StringEquals: { 'iam:PassedToService': 'states.amazonaws.com' } },
        },
      ],
      schedules: () => [
        {
          actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule'],
          resources: [
            formatArn('scheduler', 'schedule', `${stack.segmentEntry.scheduleGroup.ref}/journey-*`),
          ],
        },
        {
          actions: ['iam:PassRole'],
          resources: [arn(stack.segmentEntry.schedulerRole.roleArn)],
          condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        },
      ],
    };
  };

  /** The functions EventBridge rules invoke (the routing tests above check which). */
  const ROUTED: readonly FunctionName[] = [
    'ingest',
    'deploy-journey',
    'delivery-feedback',
    'execution-status',
  ];

  /** What a function's trigger grants its role, beyond its manifest's bindings. */
  const triggerGrants = (name: FunctionName): Normalized[] =>
    ROUTED.includes(name)
      ? [
          // An event its function still fails on goes to the dead-letter queue.
          {
            actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
            resources: [resolve(stack.routing.deadLetters.queueArn)],
          },
        ]
      : name === 'segment-entry'
        ? [
            {
              actions: [
                'sqs:ChangeMessageVisibility',
                'sqs:DeleteMessage',
                'sqs:GetQueueAttributes',
                'sqs:GetQueueUrl',
                'sqs:ReceiveMessage',
              ],
              resources: [resolve(stack.segmentEntry.queue.queueArn)],
            },
            // A scheduled run it still fails on after Lambda's retries goes to the dead-letter queue.
            {
              actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
              resources: [resolve(stack.routing.deadLetters.queueArn)],
            },
          ]
        : [];

  const expected = (name: FunctionName): Normalized[] => {
    const spec = grants();
    const bindings = manifestOf(name).bindings;
    const granted = BINDING_NAMES.flatMap((binding) => grantsOf(spec, binding, bindings));
    const logs = {
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [resolve(stack.functions[name].logGroup.logGroupArn)],
    };
    return [logs, XRAY, ...granted, ...triggerGrants(name)].sort(byJson);
  };

  it.each(FUNCTION_NAMES)('%s: its log group, X-Ray and what its manifest binds', (name) => {
    // act
    const actual = statementsOf(ref(stack.functions[name].role));
    // assert
    expect(actual).toEqual(expected(name));
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
        // Emit steps' events only: a journey cannot put a customer event (consent) on the bus.
        {
          actions: ['events:PutEvents'],
          resources: [arn(stack.routing.customerBus.eventBusArn)],
          condition: { StringEquals: { 'events:source': 'journeys.journey' } },
        },
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
        'states:SendTaskSuccess',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });
});

/** The statements one binding of a manifest must grant (none when the manifest does not bind it). */
function grantsOf<K extends BindingName>(
  spec: { [B in BindingName]: (option: BindingOptions[B]) => Normalized[] },
  binding: K,
  bindings: Bindings,
): Normalized[] {
  const option = bindings[binding];
  return option === undefined ? [] : spec[binding](option);
}
