import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readSettings } from '#infra/constructs/settings.ts';
import { JourneysStack } from '#infra/journeys-stack.ts';

/** The feature flag that makes a CloudFormation validation finding fail the synth instead of warning. */
const VALIDATION_FINDINGS_FAIL = '@aws-cdk/core:validateAgainstDefaultRules';

/**
 * Builds the stack as `infra/app.ts` does. Bundling is skipped unless asked
 * for: template assertions need the resources, not the function code.
 * CDK's built-in CloudFormation validation (seconds of CPU to start its
 * engine, under a second per template) runs only when asked for, and then any finding
 * fails the synth: cloudformation-validation.test.ts asks, for each
 * configuration the tests synthesize; the others read resources.
 */
export function synthesize(
  options: {
    context?: Record<string, unknown>;
    bundle?: boolean;
    outdir?: string;
    validate?: boolean;
    stackName?: string;
  } = {},
) {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    builtinCloudFormationValidation: options.validate ?? false,
    context: {
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...(options.validate ? { [VALIDATION_FINDINGS_FAIL]: true } : {}),
      ...options.context,
    },
  });
  const stack = new JourneysStack(app, options.stackName ?? 'Journeys', {
    settings: readSettings((key) => app.node.tryGetContext(key)),
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/**
 * Synthesizes one stack per configuration in one app with CDK's built-in
 * CloudFormation validation, and any finding fails the synth. The
 * validation engine starts once per app, for the resource types of every
 * template (1.5–2 s of CPU on the validation project's workers, about 6 s
 * with the garbage collector's helper threads; vitest.config.ts):
 * one app validates all the configurations for the price of one start. Returns the stacks' templates
 * by configuration name.
 */
export function synthesizeValidated(
  configurations: Record<string, Record<string, unknown>>,
): Map<string, { Resources?: Record<string, unknown> }> {
  const app = new App({
    builtinCloudFormationValidation: true,
    context: { 'aws:cdk:bundling-stacks': [], [VALIDATION_FINDINGS_FAIL]: true },
  });
  const stacks = Object.entries(configurations).map(([name, context]) => {
    const setting = (key: string) => (key in context ? context[key] : app.node.tryGetContext(key));
    return { name, stack: new JourneysStack(app, `Journeys${name}`, { settings: readSettings(setting) }) };
  });
  const assembly = app.synth();
  return new Map(
    stacks.map(({ name, stack }) => [name, assembly.getStackArtifact(stack.artifactId).template]),
  );
}

let defaults: ReturnType<typeof synthesize> | undefined;

/**
 * The stack with no context, built once per worker and shared by the test
 * files that only read it (templates and constructs are not changed by
 * assertions): a synth costs about a second and a half of CPU.
 */
export function synthesizeDefaults(): ReturnType<typeof synthesize> {
  defaults ??= synthesize();
  return defaults;
}

/** A context value for every setting the tests change from its default. */
export const CONFIGURED = {
  eventBusName: 'shop-events',
  senderEmail: 'hello@mail.shop.example',
  senderIdentity: 'shop.example',
  pinpointApplicationId: 'a1b2c3d4e5f6',
  alarmEmail: 'ops@shop.example',
  retainData: 'false',
  exampleJourneys: 'true',
  // As `-c tags=<json>` passes it.
  tags: JSON.stringify({ team: 'growth', 'cost-center': '42' }),
  logRetentionDays: '14',
  segmentStartRate: '140',
  encryptLogs: 'true',
  unsubscribeBaseUrl: 'https://shop.example/unsubscribe',
  // As `-c webhookConnections=<json>` passes it.
  webhookConnections: JSON.stringify({
    crm: {
      baseUrl: 'https://crm.example.com/v1',
      auth: { type: 'apiKey', header: 'x-api-key', secretName: 'journeys/crm' },
    },
  }),
};

let configured: ReturnType<typeof synthesize> | undefined;

/** The stack with every value of CONFIGURED, built once per worker like synthesizeDefaults. */
export function synthesizeConfigured(): ReturnType<typeof synthesize> {
  configured ??= synthesize({ context: CONFIGURED });
  return configured;
}
