import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIGURED, synthesizeValidated } from './synth.ts';

/**
 * What `cdk synth` checks before a deploy: CDK's built-in CloudFormation
 * validation (resource schemas and its default rules) finds nothing in the
 * template of each configuration the tests synthesize. Every finding fails
 * here, where a plain synth would only warn. The other stack tests skip this
 * validation (synth.ts): they read resources. The configurations share one
 * app, so the validation engine starts once for all of them.
 */
const CONFIGURATIONS = {
  Default: {},
  Configured: CONFIGURED,
  // Two settings that change resources apart from each other, in one template (one validation less):
  // every resource either changes comes out as it does with that setting alone.
  PartnerExistingSecret: {
    eventSources: 'journeys.customer,aws.partner/segment.com/Kp2XyZ9aBc,rudderstack',
    unsubscribeSigningSecret: 'journeys/unsubscribe',
  },
};

/** Starting the engine alone can take half a minute on a loaded machine. */
const ENGINE_START_TIMEOUT = 120_000;

let templates: ReturnType<typeof synthesizeValidated>;

beforeAll(() => {
  // act: a finding throws, naming the stack, the resource and the rule
  templates = synthesizeValidated(CONFIGURATIONS);
}, ENGINE_START_TIMEOUT);

describe('CloudFormation validation', () => {
  it.each([
    ['the default settings', 'Default'],
    ['every setting changed', 'Configured'],
    ['partner event sources and an existing signing secret', 'PartnerExistingSecret'],
  ])('finds nothing in the template with %s', (_name, configuration) => {
    // assert: the configuration's template was synthesized, and so validated, with the others
    expect(Object.keys(templates.get(configuration)?.Resources ?? {}).length).toBeGreaterThan(50);
  });
});
