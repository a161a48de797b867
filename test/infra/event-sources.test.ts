import { describe, expect, it } from 'vitest';
import { readSettings } from '#infra/constructs/settings.ts';
import { cdpEventsPattern } from '#infra/routes.ts';
import { synthesize } from './synth.ts';

const SEGMENT = 'aws.partner/segment.com/Kp2XyZ9aBc';

describe('event sources', () => {
  it('defaults to the apps’ own source', () => {
    expect(readSettings(() => undefined).eventSources).toEqual(['journeys.customer']);
  });

  it.each([
    { value: 'journeys.customer, rudderstack', expected: ['journeys.customer', 'rudderstack'] },
    { value: ['journeys.customer', SEGMENT], expected: ['journeys.customer', SEGMENT] },
  ])('reads $value', ({ value, expected }) => {
    expect(readSettings((k) => (k === 'eventSources' ? value : undefined)).eventSources).toEqual(expected);
  });

  it.each(['aws.ses', 'has spaces', ''])('rejects %j, naming the setting', (value) => {
    expect(() => readSettings((k) => (k === 'eventSources' ? value : undefined))).toThrow('-c eventSources');
  });

  it('routes a partner source from its own partner bus and another source from the customer bus', () => {
    // arrange / act
    const { template, stack } = synthesize({
      context: { eventSources: `journeys.customer,${SEGMENT},rudderstack` },
    });
    // assert
    template.hasResourceProperties('AWS::Events::EventBus', { Name: SEGMENT, EventSourceName: SEGMENT });
    const rules = Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties);
    const ingestArn = JSON.stringify(stack.resolve(stack.functions.ingest.function.functionArn));
    const ingestRules = rules.filter((p) => JSON.stringify(p.Targets).includes(ingestArn));
    expect(ingestRules).toHaveLength(3);
    const segmentRule = ingestRules.find((p) => p.EventPattern?.source?.[0] === SEGMENT);
    expect(segmentRule?.EventPattern).toEqual(cdpEventsPattern(SEGMENT));
    expect(JSON.stringify(segmentRule?.EventBusName)).toContain('PartnerBus');
    const rudder = ingestRules.find((p) => p.EventPattern?.source?.[0] === 'rudderstack');
    expect(rudder?.EventPattern).toEqual(cdpEventsPattern('rudderstack'));
    expect(stack.resolve(rudder?.EventBusName)).toEqual(
      stack.resolve(stack.routing.customerBus.eventBusName),
    );
  });
});
