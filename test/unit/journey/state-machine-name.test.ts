import { describe, expect, it } from 'vitest';
import { JOURNEY_ID } from '#shared/journey/schema.ts';
import { MAX_STATE_MACHINE_NAME, stateMachineName } from '#shared/journey/state-machine-name.ts';

describe('stateMachineName', () => {
  it('is the prefix and the id when they fit', () => {
    expect(stateMachineName('journey-', 'cart-abandonment')).toBe('journey-cart-abandonment');
    // The longest id after the default prefix still fits whole: earlier releases named it so.
    const longest = 'a'.repeat(63);
    expect(JOURNEY_ID.test(longest)).toBe(true);
    expect(stateMachineName('journey-', longest)).toBe(`journey-${longest}`);
  });

  it('shortens a long id after a long stack prefix to 80 characters, two ids never to one name', () => {
    // The longest prefix a stack name allows: 55 characters and "-journey-".
    const prefix = `${'S'.repeat(55)}-journey-`;
    const one = `${'a'.repeat(40)}-one`;
    const other = `${'a'.repeat(40)}-two`;
    const names = [stateMachineName(prefix, one), stateMachineName(prefix, other)];
    expect(names.map((n) => n.length)).toEqual([MAX_STATE_MACHINE_NAME, MAX_STATE_MACHINE_NAME]);
    expect(names.every((n) => n.startsWith(prefix))).toBe(true);
    expect(new Set(names).size).toBe(2);
    expect(stateMachineName(prefix, one)).toBe(names[0]);
  });
});
