import { describe, expect, it } from 'vitest';
import { importPinpointJourney } from '#infra/cli/import-pinpoint/import.ts';

/**
 * A field of the export the import does not read is noted by its name, with
 * a sentence: a name every JavaScript object answers to (`toString`,
 * `constructor`) is a field like any other, not a sentence of its own.
 */

const journey = (extra: Record<string, unknown>) => ({
  Name: 'Extra fields',
  State: 'DRAFT',
  StartCondition: {
    EventStartCondition: {
      EventFilter: { Dimensions: { EventType: { DimensionType: 'INCLUSIVE', Values: ['Signed Up'] } } },
    },
  },
  StartActivity: 'pause',
  Activities: { pause: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
  ...extra,
});

describe('import-pinpoint: fields it does not read', () => {
  it.each(['toString', 'constructor', 'hasOwnProperty', 'Unheard'])('notes %s with a sentence', (field) => {
    const result = importPinpointJourney(journey({ [field]: 1 }));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.notes.find((n) => n.path === field)?.message).toBe(
      `${field} has no equivalent and was not imported.`,
    );
  });
});
