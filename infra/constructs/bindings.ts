import { Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  BINDING_NAMES,
  type BindingName,
  type BindingOptions,
  type Bindings,
} from '#functions/_lib/manifest.ts';
import type { DataTables } from './data-tables.ts';
import type { JourneyDeploymentTargets, JourneysFunction } from './journeys-function.ts';
import { acknowledgeWildcardResource } from './nag.ts';
import type { TaskCallbackAction } from './permissions.ts';

/** The schedule actions deploy-journey needs on the schedules of segment journeys. */
const SCHEDULE_ACTIONS = [
  'scheduler:CreateSchedule',
  'scheduler:UpdateSchedule',
  'scheduler:DeleteSchedule',
] as const;

/** The resources of the stack that function manifests bind. */
export interface BindingTargets {
  readonly tables: DataTables;
  readonly journeysBucket: IBucket;
  readonly customerBus: IEventBus;
  readonly rejectedQueue: IQueue;
  readonly segmentQueue: IQueue;
  readonly email: { configurationSetName: string; identityName: string; senderEmail: string };
  readonly pinpointApplicationId: string;
  readonly unsubscribeBaseUrl: string;
  readonly signingKey: ISecret;
  readonly journeyDeployment: JourneyDeploymentTargets;
  readonly schedules: { groupName: string; schedulerRole: IRole; targetArn: string; deadLetterArn: string };
  readonly segmentPacing: { startRate: number; workers: number };
  /** The event sources whose alias calls may merge two known customers. */
  readonly aliasTrustedSources: readonly string[];
}

type Binder<K extends BindingName> = (
  fn: JourneysFunction,
  option: BindingOptions[K],
  to: BindingTargets,
) => void;

const CALLBACK_ACTIONS: Record<BindingOptions['taskCallbacks'][number], TaskCallbackAction> = {
  success: 'states:SendTaskSuccess',
  failure: 'states:SendTaskFailure',
};

/** How the stack honours each binding: the variables it sets and the least privilege it grants. */
const BINDERS: { readonly [K in BindingName]: Binder<K> } = {
  profilesTable: (fn, access, to) => fn.bindTable('PROFILES_TABLE_NAME', to.tables.profiles, access),
  journeysTable: (fn, access, to) => fn.bindTable('JOURNEYS_TABLE_NAME', to.tables.journeys, access),
  deliveriesTable: (fn, access, to) => fn.bindTable('DELIVERIES_TABLE_NAME', to.tables.deliveries, access),
  statsTable: (fn, access, to) => fn.bindTable('STATS_TABLE_NAME', to.tables.stats, access),
  enrollmentsTable: (fn, access, to) => fn.bindTable('ENROLLMENTS_TABLE_NAME', to.tables.enrollments, access),
  journeysBucket: (fn, access, to) => fn.bindJourneysBucket(to.journeysBucket, access),
  eventBus: (fn, _, to) => fn.bindEventBus(to.customerBus),
  rejectedQueue: (fn, _, to) => fn.bindQueue('REJECTED_QUEUE_URL', to.rejectedQueue),
  segmentQueue: (fn, _, to) => fn.bindQueue('SEGMENT_QUEUE_URL', to.segmentQueue),
  emailSending: (fn, _, to) => fn.bindEmailSending(to.email),
  mobileMessaging: (fn, _, to) => fn.bindMobileMessaging(to.pinpointApplicationId),
  unsubscribeLinks: (fn, _, to) => fn.setEnv('UNSUBSCRIBE_BASE_URL', to.unsubscribeBaseUrl),
  signingKey: (fn, _, to) => {
    to.signingKey.grantRead(fn.role);
    fn.setEnv('UNSUBSCRIBE_SECRET_ARN', secretId(to.signingKey));
  },
  journeyExecutions: (fn, scope) => fn.bindJourneyExecutions(scope),
  taskCallbacks: (fn, callbacks) => fn.allowTaskCallbacks(callbacks.map((c) => CALLBACK_ACTIONS[c])),
  journeyDeployment: (fn, _, to) => fn.bindJourneyDeployment(to.journeyDeployment),
  schedules: (fn, _, to) => bindSchedules(fn, to.schedules),
  segmentPacing: (fn, _, to) => {
    fn.setEnv('SEGMENT_START_RATE', String(to.segmentPacing.startRate));
    fn.setEnv('SEGMENT_WORKERS', String(to.segmentPacing.workers));
  },
  aliasTrust: (fn, _, to) => fn.setEnv('ALIAS_TRUSTED_SOURCES', JSON.stringify(to.aliasTrustedSources)),
};

/** Sets every variable and grants every permission the function's manifest binds. */
export function bindManifest(fn: JourneysFunction, targets: BindingTargets): void {
  for (const name of BINDING_NAMES) bindOne(name, fn, fn.manifest.bindings, targets);
}

function bindOne<K extends BindingName>(
  name: K,
  fn: JourneysFunction,
  bindings: Bindings,
  targets: BindingTargets,
): void {
  const option = bindings[name];
  if (option !== undefined) BINDERS[name](fn, option, targets);
}

/** Manages the `journey-*` schedules of the group and passes them the scheduler role. */
function bindSchedules(fn: JourneysFunction, schedules: BindingTargets['schedules']): void {
  const arn = Stack.of(fn).formatArn({
    service: 'scheduler',
    resource: 'schedule',
    resourceName: `${schedules.groupName}/journey-*`,
  });
  fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...SCHEDULE_ACTIONS], resources: [arn] }));
  acknowledgeWildcardResource(
    fn.role,
    arn,
    'Journey schedules are created at run time by deploy-journey, so access is scoped to the journey- name prefix.',
  );
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [schedules.schedulerRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  );
  fn.setEnv('SEGMENT_ENTRY_FUNCTION_ARN', schedules.targetArn);
  fn.setEnv('SCHEDULER_ROLE_ARN', schedules.schedulerRole.roleArn);
  fn.setEnv('SCHEDULE_GROUP_NAME', schedules.groupName);
  fn.setEnv('SCHEDULE_DEAD_LETTER_ARN', schedules.deadLetterArn);
}

/**
 * How the functions name the secret to Secrets Manager: its full ARN, or its
 * name when given by name (a partial ARN built from a name may match another
 * secret whose name starts the same).
 */
function secretId(secret: ISecret): string {
  return secret.secretFullArn ?? secret.secretName;
}
