import { describe, expect, it } from 'vitest';
import { CONFIGURED, synthesize } from './synth.ts';

/**
 * What `cdk synth` checks before a deploy: CDK's built-in CloudFormation
 * validation (resource schemas and its default rules) finds nothing in the
 * template of each configuration the tests synthesize. Every finding fails
 * here, where a plain synth would only warn. The other stack tests skip this
 * validation (synth.ts): they read resources.
 */
describe('CloudFormation validation', () => {
  it.each([
    ['the default settings', {}],
    ['every setting changed', CONFIGURED],
    [
      'partner event sources',
      { eventSources: 'journeys.customer,aws.partner/segment.com/Kp2XyZ9aBc,rudderstack' },
    ],
  ])('finds nothing in the template with %s', (_name, context) => {
    // act / assert: a finding throws, naming the resource and the rule
    expect(() => synthesize({ context, validate: true })).not.toThrow();
  });
});
