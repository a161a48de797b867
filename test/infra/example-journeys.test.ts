import { readdirSync, readFileSync } from 'node:fs';
import type { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { readSettings } from '#infra/constructs/settings.ts';
import { synthesizeConfigured, synthesizeDefaults } from './synth.ts';

const JOURNEYS_FOLDER = new URL('../../journeys/', import.meta.url);

/** The logical id CloudFormation gives a construct's resource. */
const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as Parameters<Stack['getLogicalId']>[0]);

describe('the example journeys', () => {
  it('are live journeys that would message customers: an upload of the folder enrolls real people', () => {
    // arrange: the reason they are not uploaded unless asked (if none were active, this would not hold)
    const files = readdirSync(JOURNEYS_FOLDER).filter(
      (f) => f.endsWith('.json') && !f.endsWith('.schema.json'),
    );
    // act
    const active = files.filter((file) => {
      const journey: unknown = JSON.parse(readFileSync(new URL(file, JOURNEYS_FOLDER), 'utf8'));
      return (
        typeof journey === 'object' && journey !== null && 'status' in journey && journey.status === 'active'
      );
    });
    // assert
    expect(active.length).toBeGreaterThan(0);
  });

  it('are not uploaded by a stack deployed with no context: its bucket holds only what the team puts there', () => {
    // arrange
    const { stack, template } = synthesizeDefaults();
    // act
    const uploads = template.findResources('Custom::CDKBucketDeployment');
    // assert: no upload, and no function of CDK's to make one
    expect(uploads).toEqual({});
    expect(stack.journeys.examples).toBeUndefined();
    const ours = new Set(Object.values(stack.functions).map((fn) => logicalId(stack, fn.function)));
    const others = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => !ours.has(id));
    expect(others).toEqual([]);
  });

  it('are uploaded under journeys/ with -c exampleJourneys=true, after the deploy rule exists, keeping what marketers added', () => {
    // arrange
    const { stack, template } = synthesizeConfigured();
    // act
    const uploads = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    // assert
    expect(uploads).toHaveLength(1);
    const [upload] = uploads;
    expect(upload?.Properties).toMatchObject({
      DestinationBucketName: { Ref: logicalId(stack, stack.journeys.bucket) },
      DestinationBucketKeyPrefix: 'journeys/',
      Prune: false,
      Exclude: ['demo/*'],
    });
    const deployRule = stack.routing.rules.find((rule) => rule.node.id === 'DeployJourneys');
    expect(deployRule).toBeDefined();
    expect(upload?.DependsOn).toEqual(
      expect.arrayContaining([deployRule ? logicalId(stack, deployRule) : 'the deploy rule']),
    );
  });

  it.each([
    [{}, false],
    [{ exampleJourneys: 'true' }, true],
    [{ exampleJourneys: true }, true],
    [{ exampleJourneys: 'false' }, false],
  ])('reads the setting %j as %s', (context, expected) => {
    const settings = readSettings((key) => (context as Record<string, unknown>)[key]);
    expect(settings.exampleJourneys).toBe(expected);
  });

  it('refuses a value that is not true or false, naming the setting', () => {
    expect(() => readSettings((key) => (key === 'exampleJourneys' ? 'yes' : undefined))).toThrow(
      /-c exampleJourneys:/,
    );
  });
});
