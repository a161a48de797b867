import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/** `journeys clock advance` says what it lacks or what it got too much of, before it reaches any runtime. */
describe('journeys clock advance, given the wrong arguments', () => {
  it('asks for a duration or --to when given neither', async () => {
    const result = await runCli(['clock', 'advance', '--endpoint', 'http://127.0.0.1:9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'give a duration (e.g. `clock advance P1D`, `PT3H`) or --to <ISO 8601 instant>',
    );
    expect(result.stderr).not.toContain('not both');
  });

  it('says not both when given both', async () => {
    const result = await runCli([
      'clock',
      'advance',
      'P1D',
      '--to',
      '2026-03-05T09:00:00Z',
      '--endpoint',
      'http://127.0.0.1:9',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('or --to <ISO 8601 instant>, not both');
  });
});
