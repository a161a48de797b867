import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/**
 * JSON written on the command line is read as JSON files are: a mistake is
 * named with the option it was given in and its column, a key written twice
 * is refused (JSON would keep the last, and the other value would be lost
 * without a word), and nothing is sent or rendered.
 */

describe('JSON given in an option', () => {
  it('names the option and the column of a syntax error, and renders nothing', async () => {
    // act: a trigger and a context with a quote left out
    const trigger = await runCli([
      'send-test',
      'welcome',
      '--to',
      'ada@example.com',
      '--trigger',
      '{properties: {}}',
    ]);
    const context = await runCli([
      'send-test',
      'welcome',
      '--to',
      'ada@example.com',
      '--journey',
      'welcome-series',
      '--context',
      '{"score": 3,}',
    ]);
    // assert
    expect([trigger.code, trigger.stderr]).toStrictEqual([
      1,
      "error --trigger: not valid JSON: Expected property name or '}' at line 1, column 2\n",
    ]);
    expect([context.code, context.stderr]).toStrictEqual([
      1,
      'error --context: not valid JSON: Expected double-quoted property name at line 1, column 13\n',
    ]);
  });

  it('refuses a key written twice in an event or its properties, before anything is sent', async () => {
    // act
    const event = await runCli(['send', '{"type": "track", "userId": "ada", "event": "A", "event": "B"}']);
    const properties = await runCli([
      'send',
      'Order Completed',
      '--user',
      'ada',
      '--properties',
      '{"total": 1, "total": 2}',
    ]);
    // assert
    expect([event.code, event.stderr]).toStrictEqual([
      1,
      'error the event: written with the key "event" twice in the top-level object (line 1, column 36 and line 1, column 50); JSON keeps only the last, so the first would be lost without a word\n',
    ]);
    expect(properties.code).toBe(1);
    expect(properties.stderr).toContain(
      '--properties: written with the key "total" twice in the top-level object',
    );
  });
});
