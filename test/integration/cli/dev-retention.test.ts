import { describe, expect, it } from 'vitest';
import { toLocalOptions } from '#infra/cli/commands/dev.ts';
import { DEFAULT_RETENTION, resolveOptions } from '#infra/local/runtime/options.ts';
import { runCli } from './run-cli.ts';

/** `journeys dev --retention key=value`: read, checked before anything starts, and listed in --help. */

const DEV = { demo: false, watch: false, timeScale: '60' };

describe('journeys dev --retention', () => {
  it('lists every key with its default in --help', async () => {
    // act
    const result = await runCli(['dev', '--help']);
    // assert
    expect(result.code).toBe(0);
    const help = result.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--retention <key=value>');
    for (const text of [
      'logBytes=32MB',
      'sentEmails=5000',
      'closedExecutions=20000',
      'closedExecutionDays=90',
      'stateMachineVersions=10',
    ])
      expect(help).toContain(text);
  });

  it.each([
    ['sentEmails=lots', '--retention sentEmails must be a positive whole number, got "lots".'],
    ['sentEmails=0', '--retention sentEmails must be a positive whole number, got "0".'],
    ['closedExecutionDays=1.5', '--retention closedExecutionDays must be a positive whole number of days'],
    ['stateMachineVersions', '--retention stateMachineVersions must be a positive whole number, got "".'],
    ['logBytes=12XB', '--retention logBytes must be a size such as 64MB, 512KB or 1048576, got "12XB".'],
    ['sentEmail=10', 'unknown key "sentEmail"; one of logBytes, sentEmails, closedExecutions'],
    ['__proto__=1', 'unknown key "__proto__"'],
  ])('refuses %s, naming what it should be, and starts nothing', async (pair, message) => {
    // act: a taken port would show up as a different error, so nothing has started when this one shows
    const result = await runCli(['dev', '--no-demo', '--retention', 'sentEmails=10', '--retention', pair]);
    // assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stdout).not.toContain('starting the local runtime');
  });

  it('passes the values to the runtime; keys not given keep their defaults', () => {
    // act
    const local = toLocalOptions({
      ...DEV,
      retention: ['logBytes=8MB', 'sentEmails=200', 'stateMachineVersions=3', 'sentEmails=300'],
    });
    // assert: the last of a repeated key wins
    expect(local?.retention).toEqual({ logBytes: 8 * 1024 * 1024, sentEmails: 300, stateMachineVersions: 3 });
    expect(resolveOptions(local ?? {}).retention).toEqual({
      ...DEFAULT_RETENTION,
      logBytes: 8 * 1024 * 1024,
      sentEmails: 300,
      stateMachineVersions: 3,
    });
    expect(
      toLocalOptions({ ...DEV, retention: ['logBytes=4096', 'closedExecutions=50'] })?.retention,
    ).toEqual({
      logBytes: 4096,
      closedExecutions: 50,
    });
  });
});
