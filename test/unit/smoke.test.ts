import { describe, expect, it } from 'vitest';
import { durationSeconds } from '#shared/time.ts';

describe('durationSeconds', () => {
  it('reads hours', () => {
    expect(durationSeconds('PT1H')).toBe(3600);
  });
});
