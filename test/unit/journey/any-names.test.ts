import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '#shared/conditions/evaluate.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { triggerValuesFor } from '#shared/profile/state.ts';
import type { TemplateCatalog } from '#shared/templates.ts';

/**
 * Trait, property and event names in any script (`prénom`, `名前`, `straße`)
 * and with any character (`price (EUR)`, `it's`) can be read by a path, as
 * ingest keeps them (in Unicode NFC).
 */

const templates: TemplateCatalog = new Map([['welcome', 'email']]);

function journeyOf<S extends Record<string, unknown>, W>(steps: S, where: W) {
  return {
    id: 'any-names',
    name: 'Any names',
    trigger: { type: 'event', event: 'Signed Up', where },
    start: Object.keys(steps)[0],
    steps: { ...steps, done: { type: 'exit' } },
  };
}

const readsEverywhere = journeyOf(
  {
    keep: { type: 'updateProfile', set: { vorname: { from: 'trigger.properties.prénom' } }, next: 'route' },
    route: {
      type: 'branch',
      branches: [
        { when: { path: 'profile.traits.名前', eq: 'Hanako' }, next: 'mail' },
        { when: { path: "profile.traits['price (EUR)']", gte: 10 }, next: 'mail' },
        { when: { path: String.raw`trigger.properties['it\'s']`, eq: 'mine' }, next: 'mail' },
      ],
      otherwise: 'done',
    },
    mail: { type: 'email', template: 'welcome', next: 'await' },
    await: {
      type: 'waitForEvent',
      event: 'Bestellung',
      where: { path: 'trigger.properties.straße', startsWith: 'Haupt' },
      match: { "event.properties['Kunden-Nr.']": 'trigger.properties.Kundennummer' },
      timeout: 'P2D',
      onEvent: 'done',
      onTimeout: 'done',
    },
  },
  { path: 'event.properties.pre\u0301nom', eq: 'Zoë' },
);

const trigger = {
  type: 'track',
  event: 'Signed Up',
  properties: { prénom: 'Zoë', straße: 'Hauptstraße 1', Kundennummer: 'k-1', "it's": 'mine' },
};

describe('names in any script and with any character', () => {
  it('validate accepts them in filters, branches, copies and correlations', () => {
    // act
    const result = validateJourney(readsEverywhere, { templates });
    // assert
    expect(result.ok ? [] : result.violations).toEqual([]);
  });

  it('the compiled journey reads the named trigger values', () => {
    // arrange
    const result = validateJourney(readsEverywhere, { templates });
    if (!result.ok) throw new Error('invalid');
    // act
    const asl = JSON.stringify(compile(result.journey));
    // assert
    expect(asl).toContain(`"$.trigger.properties['prénom']"`);
    expect(asl).toContain(`"$.trigger.properties.Kundennummer"`);
  });

  it('conditions read the names, whichever Unicode form the file spells them in', () => {
    // arrange
    const now = new Date('2026-03-02T10:00:00Z');
    const profile = { traits: { 名前: 'Hanako', 'price (EUR)': 12 } };
    // act / assert
    expect(evaluateCondition(readsEverywhere.trigger.where, { event: trigger, now })).toBe(true);
    for (const { when } of readsEverywhere.steps.route.branches) {
      expect(evaluateCondition(when, { profile, trigger, now }), JSON.stringify(when)).toBe(true);
    }
  });

  it('a waiter keeps the named trigger values its filter reads', () => {
    // act
    const kept = triggerValuesFor(readsEverywhere.steps.await.where, trigger);
    // assert
    expect(JSON.parse(JSON.stringify(kept))).toEqual({ properties: { straße: 'Hauptstraße 1' } });
  });

  it.each([
    [
      'updateProfile',
      { type: 'updateProfile', set: { x: { from: "trigger.properties['price (EUR)']" } }, next: 'done' },
      'set.x.from',
    ],
    [
      'emit',
      {
        type: 'emit',
        event: 'Copied',
        properties: { x: { from: String.raw`trigger.properties['it\'s']` } },
        next: 'done',
      },
      'properties.x.from',
    ],
    [
      'waitForEvent',
      {
        type: 'waitForEvent',
        event: 'Paid',
        match: { 'event.properties.id': "trigger.properties['a]b']" },
        timeout: 'P1D',
        onEvent: 'done',
        onTimeout: 'done',
      },
      'match["event.properties.id"]',
    ],
  ])(
    'a %s step that copies a name Step Functions paths cannot carry is refused, naming it',
    (_type, step, at) => {
      // act
      const result = validateJourney(journeyOf({ copy: step }, undefined), { templates });
      // assert
      expect(result.ok).toBe(false);
      const violations = result.ok ? [] : result.violations;
      expect(violations.map((v) => [v.path, v.code])).toEqual([[`steps.copy.${at}`, 'value.name']]);
      expect(violations[0]?.message).toMatch(/Step Functions/);
    },
  );
});
