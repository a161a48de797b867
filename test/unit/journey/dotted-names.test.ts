import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '#shared/conditions/evaluate.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { triggerValuesFor } from '#shared/profile/state.ts';
import type { TemplateCatalog } from '#shared/templates.ts';

/**
 * Trait, property and event names that contain a dot (`utm.source`,
 * `order.completed`) are written in brackets in a path:
 * `profile.traits['utm.source']`.
 */

const templates: TemplateCatalog = new Map([['welcome', 'email']]);

const utmWelcome = {
  id: 'utm-welcome',
  name: 'UTM welcome',
  trigger: {
    type: 'event',
    event: 'Signed Up',
    where: { path: "event.properties['utm.source']", eq: 'newsletter' },
  },
  start: 'keep',
  steps: {
    keep: {
      type: 'updateProfile',
      set: { campaign: { from: "trigger.properties['utm.campaign']" } },
      next: 'route',
    },
    route: {
      type: 'branch',
      branches: [
        { when: { path: "profile.traits['utm.medium']", eq: 'email' }, next: 'mail' },
        { when: { path: 'profile.events["order.completed"].count', gte: 1 }, next: 'mail' },
      ],
      otherwise: 'done',
    },
    mail: { type: 'email', template: 'welcome', next: 'await' },
    await: {
      type: 'waitForEvent',
      event: 'order.completed',
      where: { path: "trigger.properties['utm.source']", eq: 'newsletter' },
      match: { "event.properties['ref.id']": "trigger.properties['ref.id']" },
      timeout: 'P2D',
      onEvent: 'done',
      onTimeout: 'done',
    },
    done: { type: 'exit' },
  },
};

const trigger = {
  type: 'track',
  event: 'Signed Up',
  properties: {
    'utm.source': 'newsletter',
    'utm.campaign': 'spring',
    'ref.id': 'r-1',
    utm: { source: 'ad' },
  },
};

describe('names that contain a dot, in brackets', () => {
  it('validate accepts them in filters, branches, copies and correlations', () => {
    // act
    const result = validateJourney(utmWelcome, { templates });
    // assert
    expect(result.ok ? [] : result.violations).toEqual([]);
  });

  it('the compiled journey reads the named trigger values', () => {
    // arrange
    const result = validateJourney(utmWelcome, { templates });
    if (!result.ok) throw new Error('invalid');
    // act
    const asl = JSON.stringify(compile(result.journey));
    // assert: a Reference Path with the name in brackets, never "utm" then "campaign"
    expect(asl).toContain(`"$.trigger.properties['utm.campaign']"`);
    expect(asl).toContain(`"$.trigger.properties['ref.id']"`);
    expect(asl).not.toContain('properties.utm');
  });

  it('conditions read the name, not the nested object', () => {
    // arrange
    const profile = { traits: { 'utm.medium': 'email', utm: { medium: 'sms' } } };
    const now = new Date('2026-03-02T10:00:00Z');
    // act / assert
    expect(evaluateCondition(utmWelcome.trigger.where, { event: trigger, now })).toBe(true);
    expect(evaluateCondition({ path: "profile.traits['utm.medium']", eq: 'email' }, { profile, now })).toBe(
      true,
    );
    expect(evaluateCondition({ path: 'profile.traits.utm.medium', eq: 'sms' }, { profile, now })).toBe(true);
  });

  it('a waiter keeps the named trigger values its filter reads', () => {
    // act
    const kept = triggerValuesFor(utmWelcome.steps.await.where, trigger);
    // assert
    expect(JSON.parse(JSON.stringify(kept))).toEqual({ properties: { 'utm.source': 'newsletter' } });
    const now = new Date('2026-03-02T10:00:00Z');
    expect(evaluateCondition(utmWelcome.steps.await.where, { trigger: kept, now })).toBe(true);
  });
});
