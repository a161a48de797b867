import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { RegistryRepository } from '#functions/_lib/registry.ts';
import { TemplateSnapshots } from '#functions/_lib/templates.ts';
import type { DeployDeps } from '#functions/deploy-journey/deploy.ts';
import type { LocalDynamo } from './dynalite.ts';
import { mockedClient } from './mocked-clients.ts';

type Config = DeployDeps['config'];

/**
 * deploy-journey's dependencies as the stack gives them in eu-west-1, over
 * the registry and template snapshots of `db`: SDK clients a test stubs with
 * aws-sdk-client-mock, 20 versions kept, no connections, the clock at
 * 2026-11-24T09:00:05Z. `overrides` replaces dependencies, and `config` and
 * its `bindings` key by key.
 */
export function deployDeps(
  db: LocalDynamo,
  overrides: Partial<Omit<DeployDeps, 'config'>> & {
    config?: Partial<Omit<Config, 'bindings'>> & { bindings?: Partial<Config['bindings']> };
  } = {},
): DeployDeps {
  const { config = {}, ...deps } = overrides;
  const { bindings = {}, ...settings } = config;
  return {
    s3: mockedClient(S3Client),
    sfn: mockedClient(SFNClient),
    events: mockedClient(EventBridgeClient),
    registry: new RegistryRepository(db.doc, db.tables.journeys),
    templates: new TemplateSnapshots(db.doc, db.tables.journeys),
    now: () => new Date('2026-11-24T09:00:05Z'),
    ...deps,
    config: {
      eventBus: 'customer-events',
      roleArn: 'arn:aws:iam::123456789012:role/journeys',
      versions: { keep: 20, maxDeletes: 25 },
      connections: new Map(),
      ...settings,
      bindings: {
        sendMessageFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:send-message',
        evaluateFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:evaluate',
        awaitEventFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:await-event',
        profilesTableName: 'profiles',
        eventBusName: 'customer-events',
        connectionArns: new Map(),
        ...bindings,
      },
    },
  };
}
