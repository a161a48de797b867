import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '#infra/constructs/settings.ts';
import { JourneysStack } from '#infra/journeys-stack.ts';
import { executionStatusPattern, matchesPattern, smsDeliveryPattern } from '#infra/routes.ts';
import { stateMachineName } from '#shared/journey/state-machine-name.ts';

type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Export?: unknown }>;
};

/** Two teams (or staging and production) in one account and Region, each with its defaults. */
const NAMES = ['journeys-staging', 'journeys-prod'] as const;

/**
 * Names that are not the stack's own: an inline policy's (unique per role),
 * a metric's (the namespace sets it apart), the bus a rule listens on.
 */
const NOT_OWNED = new Set(['PolicyName', 'MetricName', 'EventBusName']);

/**
 * The names a stack gives its resources itself, which CloudFormation does not
 * make unique: every literal `...Name` property (a bus, a configuration set, a
 * schedule group, a log group, a dashboard...) and every export.
 */
function physicalNames(template: Template): Set<string> {
  const names = new Set<string>();
  for (const resource of Object.values(template.Resources)) {
    for (const [key, value] of Object.entries(resource.Properties ?? {})) {
      if (/^([A-Z][A-Za-z]*)?Name$/.test(key) && !NOT_OWNED.has(key) && typeof value === 'string')
        names.add(`${resource.Type} ${value}`);
    }
    if (resource.Type === 'AWS::Lambda::Function') {
      const env = (resource.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables;
      for (const variable of ['JOURNEY_NAME_PREFIX', 'POWERTOOLS_METRICS_NAMESPACE']) {
        const value = env?.[variable];
        if (typeof value === 'string') names.add(`${variable} ${value}`);
      }
    }
  }
  for (const output of Object.values(template.Outputs ?? {}))
    if (output.Export !== undefined) names.add(`export ${JSON.stringify(output.Export)}`);
  return names;
}

describe('two stacks in one account and Region', () => {
  const stacks = new Map<string, { stack: JourneysStack; template: Template }>();
  beforeAll(() => {
    // As synth.ts builds stacks (no bundling, no CloudFormation validation: cloudformation-validation.test.ts
    // runs it), with the repository's cdk.json context, as `npx cdk deploy -c stackName=...` runs.
    const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
    const app = new App({
      builtinCloudFormationValidation: false,
      context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] },
    });
    const settings = readSettings((key) => app.node.tryGetContext(key));
    const built = NAMES.map((name) => new JourneysStack(app, name, { settings }));
    const assembly = app.synth();
    for (const stack of built)
      stacks.set(stack.stackName, {
        stack,
        template: assembly.getStackArtifact(stack.artifactId).template as Template,
      });
  });
  const [one, other] = NAMES;
  const get = (name: string) => {
    const built = stacks.get(name);
    if (built === undefined) throw new Error(`${name} not synthesized`);
    return built;
  };

  it('gives no resource the name of the other stack’s, and exports nothing under one name', () => {
    const [a, b] = [physicalNames(get(one).template), physicalNames(get(other).template)];
    expect(a.size).toBeGreaterThan(5);
    expect([...a].filter((name) => b.has(name))).toEqual([]);
  });

  it('names journey state machines apart, and neither stack’s grants or status rule reach the other’s', () => {
    for (const [mine, theirs] of [
      [one, other],
      [other, one],
    ] as const) {
      const template = JSON.stringify(get(mine).template);
      const prefix = `${theirs}-journey-`;
      const theirArn = `arn:aws:states:eu-west-1:123456789012:stateMachine:${stateMachineName(prefix, 'cart')}`;
      // Every journey ARN pattern of this stack names its own prefix only.
      const patterns = [...template.matchAll(/stateMachine:([^"*]*)\*/g)].map((m) => m[1]);
      expect(patterns.length).toBeGreaterThan(0);
      expect(patterns.filter((p) => p !== `${mine}-journey-`)).toEqual([]);
      const status = {
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        detail: { status: 'SUCCEEDED', stateMachineArn: theirArn },
      };
      expect(matchesPattern(executionStatusPattern(`${mine}-journey-`), status)).toBe(false);
    }
  });

  it('alarms on failed and timed-out executions of its own journeys only', () => {
    // Every metric an alarm of one stack reads must be one the other stack never publishes.
    const alarmQueries = (name: string) =>
      Object.values(get(name).template.Resources)
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
        .flatMap((r) => (r.Properties?.Metrics as { Expression?: string }[] | undefined) ?? [])
        .flatMap((m) => (typeof m.Expression === 'string' ? [m.Expression] : []));
    for (const [mine, theirs] of [
      [one, other],
      [other, one],
    ] as const) {
      const queries = alarmQueries(mine);
      const executions = queries.filter((q) => /outcome = '(failed|timedOut)'/.test(q));
      expect(executions).toHaveLength(2);
      // Read from the stack's own namespace: not the account's AWS/States, not the other stack's.
      for (const query of queries) {
        expect(query).not.toContain('"AWS/States"');
        expect(query).toContain(`"Journeys/${mine}"`);
        expect(query).not.toContain(`"Journeys/${theirs}"`);
      }
    }
  });

  it('routes to each stack only the SMS receipts of the messages it sent', () => {
    const sms = (configurationSet: string) => ({
      source: 'aws.sms-voice',
      'detail-type': 'Text Message Delivery Status Updated',
      detail: {
        eventType: 'TEXT_DELIVERED',
        messageId: 'm-1',
        context: { journeyId: 'cart', configurationSet },
      },
    });
    // The configuration set each stack creates, and which its send-message names in the context.
    const names = NAMES.map((name) => `${name}-journeys`);
    for (const name of NAMES)
      expect(JSON.stringify(get(name).template)).toContain(`"Name":"${name}-journeys"`);
    const [mine, theirs] = names as [string, string];
    expect([
      matchesPattern(smsDeliveryPattern(mine), sms(mine)),
      matchesPattern(smsDeliveryPattern(mine), sms(theirs)),
    ]).toEqual([true, false]);
  });
});
