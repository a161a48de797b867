import { describe, expect, it } from 'vitest';
import { CONFIGURED, synthesize } from './synth.ts';

/**
 * What `cdk synth` checks before a deploy: CDK's built-in CloudFormation
 * validation (resource schemas and its default rules) finds nothing in the
 * template of each configuration the tests synthesize. Every finding fails
 * here, where a plain synth would only warn. The other stack tests skip this
 * validation (synth.ts): they read resources.
 */
const PARTNER_SOURCES = { eventSources: 'journeys.customer,aws.partner/segment.com/Kp2XyZ9aBc,rudderstack' };

/** The first to validate starts the engine: on a loaded machine that alone can take half a minute. */
const ENGINE_START_TIMEOUT = 120_000;

describe('CloudFormation validation', () => {
  it.each([
    ['the default settings', {}],
    ['every setting changed', CONFIGURED],
    ['partner event sources', PARTNER_SOURCES],
  ])(
    'finds nothing in the template with %s',
    (_name, context) => {
      // act / assert: a finding throws, naming the resource and the rule
      expect(() => synthesize({ context, validate: true })).not.toThrow();
    },
    ENGINE_START_TIMEOUT,
  );
});
