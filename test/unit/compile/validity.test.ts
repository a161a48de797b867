import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Asl, type State, successors } from '#shared/journey/compile/asl.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { NO_ANSWER_STATE } from '#shared/journey/compile/wait-for-event.ts';
import { journeyArbitrary } from '../../support/arbitraries.ts';
import { validateAsl } from '../../support/asl-validate.ts';

/** Renames every state (and every reference to it) with a prefix, so definitions can share one document. */
function prefixed(asl: Asl, prefix: string): { StartAt: string; States: Record<string, unknown> } {
  const rename = (name: string) => `${prefix}${name}`;
  const States: Record<string, unknown> = {};
  for (const [name, state] of Object.entries(asl.States)) {
    const copy: Record<string, unknown> = structuredClone(state);
    if ('Next' in state) copy.Next = rename(state.Next);
    if (state.Type === 'Choice') {
      copy.Default = rename(state.Default);
      copy.Choices = state.Choices.map((c) => ({ ...c, Next: rename(c.Next) }));
    }
    if (state.Type === 'Task' && state.Catch)
      copy.Catch = state.Catch.map((c) => ({ ...c, Next: rename(c.Next) }));
    States[rename(name)] = copy;
  }
  return { StartAt: rename(asl.StartAt), States };
}

/** Many definitions are checked as branches of one Parallel: one asl-validator call for them all. */
function validateMany(definitions: Asl[]): string {
  const document = {
    StartAt: 'All',
    States: {
      All: { Type: 'Parallel', Branches: definitions.map((d, i) => prefixed(d, `j${i}.`)), End: true },
    },
  };
  const report = validateAsl(document);
  return report.isValid ? '' : report.errorsText;
}

const SAMPLE = fc.sample(journeyArbitrary(1, 12), { numRuns: 200, seed: 20261124 });

function targetsExist(asl: Asl): boolean {
  return Object.values(asl.States).every((s: State) => successors(s).every((n) => n in asl.States));
}

describe('compile: generated journeys', () => {
  it('200 generated valid journeys pass asl-validator', () => {
    const definitions = SAMPLE.map((j) => compile(j));
    for (let i = 0; i < definitions.length; i += 50) {
      expect(validateMany(definitions.slice(i, i + 50))).toBe('');
    }
  });

  it('a generated definition also passes asl-validator on its own', () => {
    for (const journey of SAMPLE.slice(0, 5)) expect(validateAsl(compile(journey)).errorsText).toBe('');
  });

  it('is deterministic, closed and free of bookkeeping states', () => {
    fc.assert(
      fc.property(journeyArbitrary(1, 20), (journey) => {
        const asl = compile(journey);
        expect(JSON.stringify(compile(structuredClone(journey)))).toBe(JSON.stringify(asl));
        expect(targetsExist(asl)).toBe(true);
        // A Pass only ends an execution (an exit), reads a deferral's time on the rare deferred path, or
        // starts a visit of a message step on a loop (`<id>` before `<id>.send`): never bookkeeping on the
        // way of a message that goes out once. One may start a journey whose wait for an event can follow
        // an answered wait for the same event (`_noAnswer`, which that wait reads).
        for (const [name, state] of Object.entries(asl.States))
          if (state.Type === 'Pass')
            expect(
              'End' in state ||
                name.endsWith('.deferred') ||
                `${name}.send` in asl.States ||
                (name === NO_ANSWER_STATE && asl.StartAt === name),
            ).toBe(true);
        // Every step reached from the start owns a state named after it.
        expect(asl.States[journey.start]).toBeDefined();
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
