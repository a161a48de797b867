import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Command, CommanderError } from 'commander';
import { program } from '#infra/cli/main.ts';
import { fail } from '#infra/cli/output.ts';

export const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

export type CliResult = { code: number; stdout: string; stderr: string };

/** Sends a command's output (and its subcommands') to `out`/`err`, and makes exits throw instead of ending the process. */
function capture(command: Command, out: (text: string) => void, err: (text: string) => void): void {
  command.exitOverride().configureOutput({ writeOut: out, writeErr: err });
  for (const sub of command.commands) capture(sub, out, err);
}

let running: Promise<unknown> = Promise.resolve();

/**
 * Runs a `journeys` command line in this process, through the same program
 * and command actions as `bin.js`, capturing what it writes and its exit
 * code. One at a time: output and `process.exitCode` belong to the process.
 */
export function runCli(args: string[]): Promise<CliResult> {
  const result = running.then(() => runNow(args));
  running = result.catch(() => undefined);
  return result;
}

async function runNow(args: string[]): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  capture(
    program,
    (text) => stdout.push(text),
    (text) => stderr.push(text),
  );
  const streams = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = (chunk: string | Uint8Array) => stdout.push(String(chunk)) > 0;
  process.stderr.write = (chunk: string | Uint8Array) => stderr.push(String(chunk)) > 0;
  const previousExitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'journeys', ...args]);
  } catch (error) {
    // Help and usage errors end the command through exitOverride; anything else is reported as main.ts does.
    if (error instanceof CommanderError) process.exitCode = error.exitCode;
    else fail(error instanceof Error ? error.message : String(error));
  } finally {
    process.stdout.write = streams.out;
    process.stderr.write = streams.err;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = previousExitCode;
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

/**
 * The environment a user's shell gives the command: the tests' own handler
 * log settings (vitest.config.ts) left out, so the command's are what counts,
 * and the Lambda concurrency a local runtime started in the test's process
 * sets while it runs (Powertools would then look for Lambda's invoke store).
 */
export function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const {
    POWERTOOLS_LOG_LEVEL: _level,
    POWERTOOLS_METRICS_NAMESPACE: _namespace,
    AWS_LAMBDA_MAX_CONCURRENCY: _concurrency,
    ...env
  } = process.env;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs the `journeys` command as a user would, in its own Node.js process, from the project root. */
export function runCliProcess(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['infra/cli/bin.js', ...args],
      { cwd: projectRoot, env: userEnvironment() },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
