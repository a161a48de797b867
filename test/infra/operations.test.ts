import { readFileSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { timeoutSecondsOf } from '#functions/_lib/manifest.ts';
import { manifest as segmentEntryManifest } from '#functions/segment-entry/manifest.ts';
import {
  minimumStartRate,
  SEGMENT_BATCH_SIZE,
  SEGMENT_WORKER_CONCURRENCY,
} from '#infra/constructs/segment-entry.ts';
import { readSettings, SETTING_KEYS } from '#infra/constructs/settings.ts';
import type { JourneysStack } from '#infra/journeys-stack.ts';
import { StartPace } from '#shared/segment/pace.ts';
import { ENROLL_BATCH } from '#shared/segment/work.ts';
import { synthesize, synthesizeConfigured, synthesizeDefaults } from './synth.ts';

describe('defaults (no context)', () => {
  let stack: JourneysStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synthesizeDefaults());
  });

  it('publishes every SES sending event of the configuration set to the default bus', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'Journeys-journeys',
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: stack.resolve(stack.messaging.configurationSet.configurationSetName),
      EventDestination: {
        Enabled: true,
        EventBridgeDestination: {
          EventBusArn: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':events:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':event-bus/default',
              ],
            ],
          },
        },
        MatchingEventTypes: Match.arrayWith([
          'send',
          'delivery',
          'bounce',
          'complaint',
          'reject',
          'open',
          'click',
        ]),
      },
    });
  });

  it('creates an End User Messaging application when none is given', () => {
    template.resourceCountIs('AWS::Pinpoint::App', 1);
  });

  it('alarms on any dead letter (of the event rules and of segment entry), failed journey executions, messages of unknown outcome, open executions near the limit and versions left undeleted, notifying an encrypted topic', () => {
    const topic = stack.resolve(stack.monitoring.alarmTopic.topicArn);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(stack.routing.deadLetters.queueName) }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    });
    // Segment work that failed every receive: customers of a segment run not entered.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(stack.segmentEntry.deadLetters.queueName) }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    });
    // Alarms on Metrics Insights queries: each over five minutes, notifying the topic.
    const queries: [id: string, query: string, threshold: number][] = [
      [
        'failed',
        `SELECT SUM(EnrollmentsEnded) FROM SCHEMA("Journeys", journey, outcome, service) WHERE outcome = 'failed'`,
        1,
      ],
      [
        'timedOut',
        `SELECT SUM(EnrollmentsEnded) FROM SCHEMA("Journeys", journey, outcome, service) WHERE outcome = 'timedOut'`,
        1,
      ],
      ['lostReports', 'SELECT SUM(DroppedTraitReportsLost) FROM SCHEMA("Journeys", reason, service)', 1],
      ['unsettled', 'SELECT SUM(CountsUnsettled) FROM SCHEMA("Journeys", journey, service)', 1],
      ['unknown', 'SELECT SUM(MessagesOutcomeUnknown) FROM SCHEMA("Journeys", channel, service)', 1],
      ['open', 'SELECT MAX(OpenExecutions) FROM SCHEMA("Journeys", service)', 800_000],
      ['pruneFailures', 'SELECT SUM(StateMachineVersionPruneFailures) FROM SCHEMA("Journeys", service)', 1],
    ];
    for (const [id, query, threshold] of queries) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [{ Id: id, Expression: query, Period: 300, ReturnData: true }],
        Threshold: threshold,
        AlarmActions: [topic],
      });
    }
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: stack.resolve(stack.monitoring.alarmTopic.masterKey?.keyArn),
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('invokes segment-entry every five minutes to publish the open executions, so that their alarm has data without a segment run', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: stack.resolve(stack.segmentEntry.fn.function.functionArn),
          Input: JSON.stringify({ kind: 'headroom' }),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
        }),
      ],
    });
  });

  it('lets CloudWatch use the topic key (alarms cannot publish otherwise)', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('has a dashboard with ingest, enrollment, send, deferral, conversion, outcome, execution and queue panels', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(stack.resolve(dashboard?.Properties.DashboardBody));
    for (const text of [
      'EventsIngested',
      'EventRejections',
      'Enrollments',
      'MessagesSent',
      'MessagesSuppressed',
      'MessagesFailed',
      'MessagesDeferred',
      'ExecutionsFailed',
      'ApproximateNumberOfMessagesVisible',
      'Conversions',
      'Revenue',
      'EnrollmentsEnded',
      '{Journeys,journey,service}',
      '{Journeys,journey,outcome,service}',
      // Events and entries as every function publishes them: with its service dimension.
      '{Journeys,service}',
    ]) {
      expect(body, text).toContain(text);
    }
  });

  it('outputs what operators need', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining([
        'EventBusName',
        'JourneysBucketName',
        'ProfilesTableName',
        'JourneysTableName',
        'DeliveriesTableName',
        'StatsTableName',
        'DashboardUrl',
        'RejectedEventsQueueUrl',
        'DeadLetterQueueUrl',
        // What docs/deploy.md moves back to the segment queue (start-message-move-task).
        'SegmentDeadLetterQueueArn',
        'JourneyRoleArn',
        'UnsubscribeUrl',
        // The secret an operator rotates (docs/deploy.md).
        'UnsubscribeSigningKeyArn',
      ]),
    );
  });

  it('tears down by hand, in docs/deploy.md, every table the stack keeps, with names read while it exists', () => {
    // arrange: the tear-down section and the tables the template keeps on cdk destroy
    const doc = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    const teardown = doc.slice(doc.indexOf('## 9. Tear down'));
    const tables = Object.keys(template.findResources('AWS::DynamoDB::Table')).length;
    const tableOutputs = Object.keys(template.findOutputs('*')).filter((name) => name.endsWith('TableName'));
    // act: the shell the section runs, in order
    const shell = [...teardown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').join('\n');
    const destroyAt = shell.indexOf('npx cdk destroy');
    // assert: one output per table, each looked up (by `out`) before the stack is gone
    expect(tableOutputs).toHaveLength(tables);
    for (const name of tableOutputs) {
      const lookup = shell.indexOf(`out ${name}`);
      expect(lookup, name).toBeGreaterThanOrEqual(0);
      expect(lookup, name).toBeLessThan(destroyAt);
    }
    expect(teardown).toContain(`the ${['', '', '', '', 'four', 'five', 'six'][tables]} tables`);
  });
});

describe('context values', () => {
  let stack: JourneysStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synthesizeConfigured());
  });

  it('names the bus', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'shop-events' });
  });

  it('paces segment entry to the configured start rate', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SEGMENT_START_RATE: '140' }) },
    });
  });

  it('uses the given End User Messaging application instead of creating one', () => {
    template.resourceCountIs('AWS::Pinpoint::App', 0);
    const sendMessageId = stack.resolve(stack.functions['send-message'].function.functionName).Ref;
    const send = template.toJSON().Resources[sendMessageId];
    expect(send.Properties.Environment.Variables).toMatchObject({
      PINPOINT_APPLICATION_ID: 'a1b2c3d4e5f6',
      SENDER_EMAIL: 'hello@mail.shop.example',
    });
  });

  it('grants sending on the verified identity', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ses:SendEmail',
            Resource: Match.arrayWith([
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ses:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':identity/shop.example',
                  ],
                ],
              },
            ]),
          }),
        ]),
      },
    });
  });

  it('subscribes the alarm email', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@shop.example',
    });
  });

  it('lets the data go with the stack when retainData is false', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(tables.map((t) => [t.DeletionPolicy, t.Properties.DeletionProtectionEnabled])).toEqual(
      Array(5).fill(['Delete', false]),
    );
  });

  it('rounds log retention to a period CloudWatch accepts', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  it('lets the log groups go with the data when retainData is false', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(new Set(groups.map((g) => g.DeletionPolicy))).toEqual(new Set(['Delete']));
  });

  it('leaves nothing behind when retainData is false: no resource is kept on cdk destroy', () => {
    // The configured stack creates every optional resource (log key, signing key, alarm topic key).
    const resources = Object.entries(
      template.toJSON().Resources as Record<string, { DeletionPolicy?: string }>,
    );
    const kept = resources.filter(([, r]) => r.DeletionPolicy !== undefined && r.DeletionPolicy !== 'Delete');
    expect(kept.map(([id, r]) => `${id}: ${r.DeletionPolicy}`)).toEqual([]);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.resourceCountIs('AWS::KMS::Key', 2);
  });
});

describe('an existing SES configuration set (sesConfigurationSet)', () => {
  let stack: JourneysStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synthesize({ context: { sesConfigurationSet: 'platform-mail' } }));
  });

  it('creates none, and sends, grants and takes the feedback of the given one', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    template.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 0);
    const sendMessageId = stack.resolve(stack.functions['send-message'].function.functionName).Ref;
    const send = template.toJSON().Resources[sendMessageId];
    expect(send.Properties.Environment.Variables.SES_CONFIGURATION_SET).toBe('platform-mail');
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain(':configuration-set/platform-mail');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { mail: { tags: { 'ses:configuration-set': ['platform-mail'] } } } },
    });
    template.hasOutput('SesConfigurationSet', { Value: 'platform-mail' });
  });

  it.each(['', 'has spaces', 'a/b', 'x'.repeat(65)])('rejects %j at synth, naming it', (name) => {
    expect(() => readSettings((k) => (k === 'sesConfigurationSet' ? name : undefined))).toThrow(
      '-c sesConfigurationSet',
    );
  });
});

describe('stackName', () => {
  it('takes a name as long as the names it makes allow (55 characters), and refuses a longer one', () => {
    expect(() => synthesize({ stackName: 'J'.repeat(56) })).toThrow('-c stackName: must be at most 55');
    const { template } = synthesize({ stackName: `J${'x'.repeat(54)}` });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: `J${'x'.repeat(54)}-journeys` });
  });

  it('keeps the journey names of a stack deployed before they were per stack when journeyNamePrefix pins them', () => {
    const { stack, template } = synthesize({
      stackName: 'JourneysStaging',
      context: { journeyNamePrefix: 'journey-', eventBusName: 'customer-events' },
    });
    const deployId = stack.resolve(stack.functions['deploy-journey'].function.functionName).Ref;
    const env = template.toJSON().Resources[deployId].Properties.Environment.Variables;
    expect(env.JOURNEY_NAME_PREFIX).toBe('journey-');
    const arns = [...JSON.stringify(template.toJSON()).matchAll(/stateMachine:([^"*]*)\*/g)].map((m) => m[1]);
    expect(new Set(arns)).toEqual(new Set(['journey-']));
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'customer-events' });
  });

  it('refuses a name that would put its journeys among those of the stack Journeys', () => {
    expect(() => synthesize({ stackName: 'journey-staging' })).toThrow(
      '-c stackName: must not start with journey-',
    );
  });
});

describe('log groups', () => {
  it("take every function of the stack, CDK's upload of the example journeys too", () => {
    // A function without one logs to a group Lambda creates on first use: never expiring,
    // not encrypted, and not the stack's to keep or remove.
    // The configured stack uploads the examples (exampleJourneys): CDK's upload function is one more.
    for (const [{ template }, least] of [
      [synthesizeDefaults(), 9],
      [synthesizeConfigured(), 10],
    ] as const) {
      const groups = new Set(Object.keys(template.findResources('AWS::Logs::LogGroup')));
      const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
      expect(functions.length).toBeGreaterThanOrEqual(least);
      for (const [id, fn] of functions)
        expect(groups.has(fn.Properties.LoggingConfig?.LogGroup?.Ref), id).toBe(true);
    }
  });

  it('are kept on cdk destroy like the tables, unencrypted by a customer key unless asked', () => {
    const { template } = synthesizeDefaults();
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(7);
    expect(groups.map((g) => [g.DeletionPolicy, g.UpdateReplacePolicy])).toEqual(
      Array(groups.length).fill(['Retain', 'Retain']),
    );
    expect(groups.filter((g) => g.Properties.KmsKeyId !== undefined)).toEqual([]);
  });

  it('are all encrypted with one rotating key the stack creates when encryptLogs is set', () => {
    // The configured stack (synth.ts CONFIGURED) sets encryptLogs.
    const { stack, template } = synthesizeConfigured();
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    const keys = template.findResources('AWS::KMS::Key', {
      Properties: { Description: 'Journeys log groups' },
    });
    const [keyId] = Object.keys(keys);
    expect(keys[keyId ?? '']?.Properties.EnableKeyRotation).toBe(true);
    expect(new Set(groups.map((g) => JSON.stringify(g.Properties.KmsKeyId)))).toEqual(
      new Set([JSON.stringify({ 'Fn::GetAtt': [keyId, 'Arn'] })]),
    );
    const policy = JSON.stringify(stack.resolve(keys[keyId ?? '']?.Properties.KeyPolicy));
    expect(policy).toContain('logs.');
    expect(policy).toContain('kms:EncryptionContext:aws:logs:arn');
  });
});

describe('readSettings', () => {
  it('is documented: each context key it reads, and stackName, is a row of the table in docs/deploy.md', () => {
    const doc = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## 3. Context values'), doc.indexOf('## 4.'));
    const rows = new Set([...section.matchAll(/^\| `([A-Za-z]+)`/gm)].map((m) => m[1]));
    expect([...SETTING_KEYS, 'stackName'].filter((key) => !rows.has(key))).toEqual([]);
  });

  it('defaults the identity to the sender domain', () => {
    expect(readSettings(() => undefined)).toMatchObject({
      senderEmail: 'journeys@example.com',
      senderIdentity: 'example.com',
      retainData: true,
    });
  });

  it.each([
    ['the address', 'Hello@Mail.Shop.example'],
    ['its domain', 'mail.shop.example'],
    ['a parent domain', 'shop.example'],
  ])('accepts a sender identity that is %s', (_what, identity) => {
    const context = new Map([
      ['senderEmail', 'hello@mail.shop.example'],
      ['senderIdentity', identity],
    ]);
    expect(readSettings((k) => context.get(k)).senderIdentity).toBe(identity);
  });

  it.each(['other.example', 'hop.example', 'ops@mail.shop.example', 'mail.shop.example.com'])(
    'rejects a sender identity that does not cover the sender address: %s',
    (identity) => {
      const context = new Map([
        ['senderEmail', 'hello@mail.shop.example'],
        ['senderIdentity', identity],
      ]);
      expect(() => readSettings((k) => context.get(k))).toThrow(
        `-c senderIdentity: ${identity} does not cover senderEmail hello@mail.shop.example`,
      );
    },
  );

  it.each([
    { key: 'senderEmail', value: 'not-an-email' },
    { key: 'logLevel', value: 'LOUD' },
    { key: 'pinpointApplicationId', value: 'has spaces' },
    { key: 'retainData', value: 'maybe' },
    { key: 'eventBusName', value: 'default' },
    // A prefix without its dash would take in the names of another prefix that starts alike.
    { key: 'journeyNamePrefix', value: 'staging' },
    { key: 'journeyNamePrefix', value: 'a b-' },
    { key: 'eventBusName', value: 'with/slash' },
    // RFC 8058: mailbox providers take a one-click List-Unsubscribe URI over HTTPS only.
    { key: 'unsubscribeBaseUrl', value: 'http://shop.example/unsubscribe' },
    { key: 'unsubscribeBaseUrl', value: 'mailto:unsubscribe@shop.example' },
  ])('rejects $key=$value, naming it', ({ key, value }) => {
    expect(() => readSettings((k) => (k === key ? value : undefined))).toThrow(`-c ${key}`);
  });

  it('takes an https unsubscribe base URL', () => {
    const url = 'https://shop.example/unsubscribe';
    expect(readSettings((k) => (k === 'unsubscribeBaseUrl' ? url : undefined)).unsubscribeBaseUrl).toBe(url);
  });
});

describe('the alarms docs/deploy.md describes', () => {
  it('are the alarms of the stack, each named in the Alarms paragraph of "Watch the results"', () => {
    const { stack } = synthesizeDefaults();
    const doc = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    const start = doc.indexOf('- **Alarms**:');
    const paragraph = doc.slice(start, doc.indexOf('\n\n', start)).replace(/\s+/g, ' ');
    const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const alarms = Object.keys(stack.monitoring)
      .filter((key) => key.endsWith('Alarm'))
      .map((key) => `${kebab(key.slice(0, -'Alarm'.length))} alarm`);
    expect(alarms.length).toBeGreaterThan(5);
    expect(alarms.filter((alarm) => !paragraph.includes(alarm))).toEqual([]);
  });
});

describe('segmentStartRate at its bounds', () => {
  /** How long one receive of a worker takes to start its customers at its share of the rate (virtual time). */
  const receiveSeconds = (rate: number) => {
    const pace = new StartPace(rate / SEGMENT_WORKER_CONCURRENCY);
    let now = 0;
    for (let i = 0; i < SEGMENT_BATCH_SIZE * ENROLL_BATCH; i++) now += pace.reserve(now);
    return now / 1000;
  };
  const timeout = timeoutSecondsOf(segmentEntryManifest);

  it('takes the lowest rate at which a worker starts a receive within half its timeout', () => {
    const lowest = minimumStartRate();
    expect(
      readSettings((k) => (k === 'segmentStartRate' ? String(lowest) : undefined)).segmentStartRate,
    ).toBe(lowest);
    expect(receiveSeconds(lowest)).toBeLessThanOrEqual(timeout / 2);
  });

  it('refuses a rate at which every receive would time out, naming it', () => {
    expect(receiveSeconds(10)).toBeGreaterThan(timeout);
    expect(() => readSettings((k) => (k === 'segmentStartRate' ? '10' : undefined))).toThrow(
      '-c segmentStartRate: must be at least',
    );
  });
});
