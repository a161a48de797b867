import { describe, expect, it } from 'vitest';
import { runCliProcess } from './run-cli.ts';

// The other CLI tests call the program in-process; these start `bin.js` as a user's shell does.
const PROCESS_TIMEOUT = 60_000;

describe('the journeys command as its own process', () => {
  it(
    'validates a journey file: exit 0 and the summary',
    async () => {
      const result = await runCliProcess(['validate', 'journeys/cart-abandonment.json']);
      expect(result.stdout).toContain('1 journey file checked, 0 with problems');
      expect(result.code).toBe(0);
    },
    PROCESS_TIMEOUT,
  );

  it(
    'exits 1 on a broken journey, naming the problem',
    async () => {
      const result = await runCliProcess(['validate', 'test/fixtures/journeys/broken/start-missing.json']);
      expect(result.stdout).toContain('start');
      expect(result.code).toBe(1);
    },
    PROCESS_TIMEOUT,
  );

  it(
    'prints help with every command, exit 0',
    async () => {
      const result = await runCliProcess(['--help']);
      for (const command of ['validate', 'compile', 'dev', 'test', 'report', 'send-test'])
        expect(result.stdout).toContain(command);
      expect(result.code).toBe(0);
    },
    PROCESS_TIMEOUT,
  );

  it(
    'rejects an unknown command with exit 1',
    async () => {
      const result = await runCliProcess(['valdate']);
      expect(result.stderr).toContain("unknown command 'valdate'");
      expect(result.code).toBe(1);
    },
    PROCESS_TIMEOUT,
  );
});
