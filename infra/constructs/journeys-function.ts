import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type Access,
  type FunctionManifest,
  type TaskFunctionVariable,
  timeoutSecondsOf,
  type VariableName,
} from '#functions/_lib/manifest.ts';
import { SYSTEM_EVENT_SOURCE } from '#shared/event-sources.ts';
import { JOURNEYS_PREFIX } from '../routes.ts';
import { houseCode } from './bundling.ts';
import { journeyExecutionsArn, journeyStateMachinesArn, stackJourneyPrefix } from './journey-arns.ts';
import { DEFAULT_METRICS_NAMESPACE, metricsNamespace } from './journey-names.ts';
import type { LogSettings } from './log-settings.ts';
import { acknowledgeWildcardResource } from './nag.ts';
import {
  DEPLOY_ACTIONS,
  EXECUTION_ACTIONS,
  JOURNEYS_AT_RUN_TIME,
  putEventsAs,
  TABLE_READ,
  TABLE_WRITE,
  type TaskCallbackAction,
} from './permissions.ts';

/** The Powertools metrics namespace every function of the stack named `Journeys` publishes to. */
export const METRICS_NAMESPACE = DEFAULT_METRICS_NAMESPACE;

export interface JourneysFunctionProps {
  /** What the function is and needs; its handler is `functions/<name>/handler.ts`. */
  readonly manifest: FunctionManifest;
  /** Where functions/ and node_modules live. */
  readonly projectRoot: string;
  readonly logLevel: string;
  readonly logs: LogSettings;
}

/**
 * A Lambda function in the house style (Node.js 22 on arm64, ESM bundle by the
 * local esbuild with the AWS SDK inside, minified with source maps, X-Ray,
 * its own log group and role) and intent-named bindings: each one sets the
 * environment variable the handler reads and grants exactly what it needs.
 */
export class JourneysFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  readonly manifest: FunctionManifest;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: JourneysFunctionProps) {
    super(scope, id);
    const { manifest } = props;
    this.manifest = manifest;
    this.timeout = Duration.seconds(timeoutSecondsOf(manifest));
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logs.retention,
      removalPolicy: props.logs.removalPolicy,
      encryptionKey: props.logs.encryptionKey,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `The ${manifest.name} function`,
    });
    // Its own log group only, instead of the managed basic-execution policy.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The handlers are built for and tested on Node.js 22 (esbuild target node22); 24 is a deliberate upgrade.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray trace writes and Step Functions task-token callbacks support no resource-level permissions.',
    });
    this.function = new LambdaFunction(this, 'Function', {
      code: houseCode(props.projectRoot, manifest.name),
      handler: 'index.handler',
      description: manifest.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: manifest.memoryMb ?? 512,
      timeout: this.timeout,
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment: {
        POWERTOOLS_SERVICE_NAME: manifest.name,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(Stack.of(this).stackName),
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
  }

  get functionArn(): string {
    return this.function.functionArn;
  }

  /** Sets a variable of the function's manifest (a plain setting: no permission attached). */
  setEnv(name: VariableName, value: string): this {
    this.function.addEnvironment(name, value);
    return this;
  }

  /** Puts the product's own notifications (deploys, segment runs) on the bus, under their source only. */
  bindEventBus(bus: IEventBus): this {
    this.role.addToPrincipalPolicy(putEventsAs(bus.eventBusArn, SYSTEM_EVENT_SOURCE));
    return this.setEnv('EVENT_BUS_NAME', bus.eventBusName);
  }

  /** Reads (and with readWrite, writes and deletes) objects under `journeys/` only. */
  bindJourneysBucket(bucket: IBucket, access: Access): this {
    const objects = bucket.arnForObjects(`${JOURNEYS_PREFIX}*`);
    const actions = ['s3:GetObject', 's3:GetObjectVersion'];
    if (access === 'readWrite') actions.push('s3:PutObject', 's3:DeleteObject');
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [objects] }));
    acknowledgeWildcardResource(
      this.role,
      objects,
      'Journey definitions and templates are named by marketers, so access is scoped to the journeys/ prefix.',
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${JOURNEYS_PREFIX}*`] } },
      }),
    );
    return this.setEnv('JOURNEYS_BUCKET_NAME', bucket.bucketName);
  }

  /** Sends messages to a queue whose URL `variable` names. */
  bindQueue(variable: VariableName, queue: IQueue): this {
    queue.grantSendMessages(this.role);
    return this.setEnv(variable, queue.queueUrl);
  }

  /** Reads (and with readWrite, writes) a table whose name `variable` names. */
  bindTable(variable: VariableName, table: ITable, access: Access): this {
    const actions = access === 'read' ? TABLE_READ : [...TABLE_READ, ...TABLE_WRITE];
    table.grant(this.role, ...actions);
    return this.setEnv(variable, table.tableName);
  }

  /** Sends email through SES v2 from one identity, with the configuration set that publishes events. */
  bindEmailSending(email: { configurationSetName: string; identityName: string; senderEmail: string }): this {
    const stack = Stack.of(this);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: email.identityName }),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: email.configurationSetName,
          }),
        ],
      }),
    );
    this.setEnv('SES_CONFIGURATION_SET', email.configurationSetName);
    return this.setEnv('SENDER_EMAIL', email.senderEmail);
  }

  /** Sends SMS and push to direct addresses through one End User Messaging (Pinpoint) application. */
  bindMobileMessaging(applicationId: string): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['mobiletargeting:SendMessages'],
        resources: [
          Stack.of(this).formatArn({
            service: 'mobiletargeting',
            resource: 'apps',
            resourceName: `${applicationId}/messages`,
          }),
        ],
      }),
    );
    return this.setEnv('PINPOINT_APPLICATION_ID', applicationId);
  }

  /** Starts enrollments on journey versions; with `startAndStop` also stops them (goal and exit events); `describe` reads them. */
  bindJourneyExecutions(scope: 'start' | 'startAndStop' | 'describe'): this {
    if (scope !== 'describe') {
      const stateMachines = journeyStateMachinesArn(this);
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachines] }),
      );
      acknowledgeWildcardResource(this.role, stateMachines, JOURNEYS_AT_RUN_TIME);
    }
    if (scope === 'start') return this;
    const executions = journeyExecutionsArn(this);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...EXECUTION_ACTIONS[scope]], resources: [executions] }),
    );
    acknowledgeWildcardResource(this.role, executions, JOURNEYS_AT_RUN_TIME);
    return this;
  }

  /**
   * Resumes waiting steps with their task token. The callback actions take no
   * resource ARN (the token names the execution), so `*` is the only option.
   */
  allowTaskCallbacks(actions: readonly TaskCallbackAction[]): this {
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources: ['*'] }));
    return this;
  }

  /**
   * Creates and updates journey state machines, publishes versions and moves
   * aliases — on the stack's journey state machines only (`journey-*` in the stack `Journeys`) — and passes them the journey execution role.
   */
  bindJourneyDeployment(journey: JourneyDeploymentTargets): this {
    const stateMachines = journeyStateMachinesArn(this);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...DEPLOY_ACTIONS], resources: [stateMachines] }),
    );
    acknowledgeWildcardResource(this.role, stateMachines, JOURNEYS_AT_RUN_TIME);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [journey.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'states.amazonaws.com' } },
      }),
    );
    this.setEnv('JOURNEY_ROLE_ARN', journey.role.roleArn);
    this.setEnv('JOURNEY_LOG_GROUP_ARN', journey.logGroupArn);
    this.setEnv('JOURNEY_VERSIONS_KEPT', String(journey.versionsKept));
    this.setEnv('JOURNEY_NAME_PREFIX', stackJourneyPrefix(this));
    this.setEnv('JOURNEY_TAGS', JSON.stringify(Object.fromEntries(journey.tags)));
    // Compiled journeys write profiles and put events as the journey role, so these names come with no grant.
    this.setEnv('PROFILES_TABLE_NAME', journey.profilesTableName);
    this.setEnv('EVENT_BUS_NAME', journey.eventBusName);
    for (const [variable, arn] of journey.taskFunctionArns) this.setEnv(variable, arn);
    // The ARNs are tokens until deploy: toJsonString keeps them resolvable inside the JSON text.
    const connections = Object.fromEntries(journey.webhookConnections);
    this.setEnv('WEBHOOK_CONNECTIONS', Stack.of(this).toJsonString(connections));
    return this;
  }
}

/** What compiled journeys run with: deploy-journey passes these into every state machine it creates. */
export interface JourneyDeploymentTargets {
  readonly role: IRole;
  readonly logGroupArn: string;
  readonly profilesTableName: string;
  readonly eventBusName: string;
  /** The ARN of each task function, by the variable that names it. */
  readonly taskFunctionArns: ReadonlyMap<TaskFunctionVariable, string>;
  /** The webhook connections by name: the ARN journeys call through and the base URL calls must stay under. */
  readonly webhookConnections: ReadonlyMap<string, { arn: string; baseUrl: string }>;
  /** Versions of each journey's state machine kept besides the alias targets. */
  readonly versionsKept: number;
  /** The stack's tags, which deploy-journey puts on the journey state machines it creates. */
  readonly tags: ReadonlyMap<string, string>;
}
