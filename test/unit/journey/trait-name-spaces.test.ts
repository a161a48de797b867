import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

/** A journey reading `path` in its audience and in a branch, and copying `copied` into a trait. */
function journey(path: string, copied = 'trigger.traits.plan') {
  return {
    id: 'spaced-traits',
    name: 'Spaced traits',
    trigger: { type: 'identify', where: { path: 'trigger.traits.plan', exists: true } },
    audience: { path, eq: 'pro' },
    start: 'pick',
    steps: {
      pick: {
        type: 'branch',
        branches: [{ when: { path, eq: 'pro' }, next: 'keep' }],
        otherwise: 'done',
      },
      keep: { type: 'updateProfile', set: { lastPlan: { from: copied } }, next: 'done' },
      done: { type: 'exit' },
    },
  };
}

const spacedWarnings = (path: string, copied?: string) => {
  const result = validateJourney(journey(path, copied));
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  expect(result.ok).toBe(true);
  return result.warnings.filter((w) => w.code === 'trait.spaces');
};

describe('a trait name with a leading or trailing space', () => {
  it.each([
    "profile.traits[' plan']",
    'profile.traits["plan "]',
    'profile.traits["\u00a0plan"]',
    "trigger.traits[' plan'].tier",
  ])('warns at each place that reads %s, naming the path', (path) => {
    const found = spacedWarnings(path);
    expect(found.map((w) => w.path)).toEqual(['audience.path', 'steps.pick.branches[0].when.path']);
    for (const w of found) expect(w.message).toContain(path);
  });

  it('warns for a copy from such a trait of the trigger', () => {
    const found = spacedWarnings('profile.traits.plan', 'trigger.traits["plan "]');
    expect(found.map((w) => w.path)).toEqual(['steps.keep.set.lastPlan.from']);
  });

  it.each([
    'profile.traits.plan',
    "profile.traits['my plan']",
    "event.properties[' plan']",
    "profile.traits.address[' city']",
  ])('does not warn for %s, whose names are kept as written', (path) => {
    // Warnings are judged whatever else the journey has: an identify call has no event.properties at all.
    const { warnings } = validateJourney(journey(path));
    expect(warnings.filter((w) => w.code === 'trait.spaces')).toEqual([]);
  });
});
