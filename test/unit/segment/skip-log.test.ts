import { describe, expect, it } from 'vitest';
import { logSkips } from '#functions/segment-entry/skip-log.ts';

describe('segment skip log', () => {
  it('logs one line per journey: the counted reasons at info, the journey’s own rules at debug', () => {
    // arrange
    const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
    const log = {
      info: (message: string, fields: Record<string, unknown>) =>
        lines.push({ level: 'info', message, fields }),
      debug: (message: string, fields: Record<string, unknown>) =>
        lines.push({ level: 'debug', message, fields }),
    };
    const skip = (userId: string, reason: 'limit' | 'reentry' | 'audience') => ({
      userId,
      journeyId: 'j',
      version: '3',
      reason,
    });
    // act
    logSkips(log, [skip('a', 'limit'), skip('b', 'reentry'), skip('c', 'limit'), skip('d', 'audience')]);
    // assert
    expect(lines.map((l) => [l.level, l.message, l.fields.skipped])).toEqual([
      ['info', 'segment entries skipped', { audience: 0, reentry: 0, cooldown: 0, limit: 2, tooLarge: 0 }],
      ['debug', 'segment entries skipped', { audience: 1, reentry: 1, cooldown: 0, limit: 0, tooLarge: 0 }],
    ]);
    expect(lines[0]?.fields.customers).toEqual([
      { userId: 'a', reason: 'limit' },
      { userId: 'c', reason: 'limit' },
    ]);
  });
});
