import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '#functions/_lib/observability.ts';

// The tests run with handlers logging warnings only (vitest.config.ts); this one logs at INFO.
const level = logger.getLevelName();
beforeEach(() => {
  logger.setLogLevel('INFO');
});
afterEach(() => {
  vi.restoreAllMocks();
  logger.setLogLevel(level);
});

describe('the functions logger', () => {
  it('masks emails and phone numbers in every field of a log line', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    logger.info('sending to ada@example.com', {
      profile: { phone: '+393331234567', email: 'ada@example.com' },
    });
    const output = lines.join('');
    expect(output).toContain('a***@example.com');
    expect(output).toContain('***67');
    expect(output).not.toMatch(/ada@example\.com|3331234567/);
  });
});
