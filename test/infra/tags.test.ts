import { describe, expect, it } from 'vitest';
import { readSettings } from '#infra/constructs/settings.ts';
import { synthesizeConfigured, synthesizeDefaults } from './synth.ts';

const settingsOf = (tags: unknown) => readSettings((key) => (key === 'tags' ? tags : undefined));

describe('the tags setting', () => {
  it('reads -c tags=<json> and a cdk.json object alike, as a Map of the keys given', () => {
    expect(settingsOf('{"team":"growth","__proto__":"x"}').tags).toEqual(
      new Map([
        ['team', 'growth'],
        ['__proto__', 'x'],
      ]),
    );
    expect(settingsOf({ team: 'growth' }).tags).toEqual(new Map([['team', 'growth']]));
    expect(readSettings(() => undefined).tags).toEqual(new Map());
  });

  it.each([
    ['not JSON', 'team=growth'],
    ['a key of AWS', '{"aws:team":"growth"}'],
    ['an empty key', '{"":"growth"}'],
    ['a value too long', JSON.stringify({ team: 'g'.repeat(257) })],
    ['a character no tagging service takes', '{"team":"growth!"}'],
    [
      'more than 45',
      JSON.stringify(Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`k${i}`, 'v']))),
    ],
  ])('refuses %s, naming the setting', (_, value) => {
    expect(() => settingsOf(value)).toThrow(/-c tags/);
  });
});

describe('a stack deployed with tags', () => {
  it('tags what holds data and what runs, the stack itself included', () => {
    const { stack, template } = synthesizeConfigured();
    const tagsOf = (type: string) =>
      Object.values(template.findResources(type)).map(
        (r) => r.Properties.Tags as { Key: string; Value: string }[],
      );
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::S3::Bucket',
      'AWS::Lambda::Function',
      'AWS::SQS::Queue',
    ]) {
      const all = tagsOf(type);
      expect(all.length, type).toBeGreaterThan(0);
      for (const tags of all)
        expect(tags, type).toEqual(
          expect.arrayContaining([
            { Key: 'team', Value: 'growth' },
            { Key: 'cost-center', Value: '42' },
          ]),
        );
    }
    expect(stack.tags.tagValues()).toEqual({ team: 'growth', 'cost-center': '42' });
  });

  it('hands them to deploy-journey for the journey state machines it creates, and none by default', () => {
    const variable = (synth: ReturnType<typeof synthesizeDefaults>) =>
      synth.template.toJSON().Resources[
        synth.stack.getLogicalId(
          synth.stack.functions['deploy-journey'].function.node.defaultChild as Parameters<
            typeof synth.stack.getLogicalId
          >[0],
        )
      ].Properties.Environment.Variables.JOURNEY_TAGS;
    expect(JSON.parse(variable(synthesizeConfigured()))).toEqual({ team: 'growth', 'cost-center': '42' });
    expect(variable(synthesizeDefaults())).toBe('{}');
  });
});
