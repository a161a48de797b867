import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import type { ScenarioResult } from './run-scenario.ts';

/** A result as a worker process prints it (timelines as entries). */
const WireResult = z.object({
  file: z.string(),
  name: z.string(),
  verdicts: z.array(
    z.object({
      ok: z.boolean(),
      title: z.string(),
      users: z.array(z.string()),
      actual: z.string().optional(),
    }),
  ),
  timelines: z.array(z.tuple([z.string(), z.object({ zone: z.string(), lines: z.array(z.string()) })])),
  wallMs: z.number(),
  error: z.string().optional(),
});

export function toWire(results: readonly ScenarioResult[]): string {
  return JSON.stringify(results.map((r) => ({ ...r, timelines: [...r.timelines] })));
}

function fromWire(text: string): ScenarioResult[] {
  return z
    .array(WireResult)
    .parse(JSON.parse(text))
    .map(({ error, ...r }) => ({
      ...r,
      timelines: new Map(r.timelines),
      ...(error === undefined ? {} : { error }),
    }));
}

/** What a worker process tells as each of its scenarios ends, for the progress of the run. */
export const ScenarioDone = z.object({
  scenarioDone: z.object({ file: z.string(), name: z.string(), ok: z.boolean(), wallMs: z.number() }),
});
export type ScenarioDone = z.infer<typeof ScenarioDone>['scenarioDone'];

/** A scenario's result as the progress of a run tells it. */
export function scenarioDone(result: ScenarioResult): ScenarioDone {
  const ok = result.error === undefined && result.verdicts.every((v) => v.ok);
  return { file: result.file, name: result.name, ok, wallMs: result.wallMs };
}

/** The end of a worker's standard error kept for the message when it fails. */
const STDERR_KEPT = 64 * 1024;

/**
 * Runs scenario files in `jobs` worker processes of this CLI (each with its
 * own local runtime and ports), files dealt round-robin; results come back in
 * file order, and `onDone` hears of each scenario as it ends, whichever
 * worker runs it. A scenario's outcome does not depend on the process it ran in.
 */
export async function runInWorkers(
  files: readonly string[],
  jobs: number,
  workerArgs: (files: string[], resultsFile: string) => string[],
  onDone: (done: ScenarioDone) => void = () => undefined,
): Promise<ScenarioResult[]> {
  const shares = Array.from({ length: Math.min(jobs, files.length) }, (_, i) =>
    files.filter((_, n) => n % jobs === i),
  );
  // Results travel in a file, not on stdout: handlers may log to stdout while scenarios run.
  const dir = await mkdtemp(join(tmpdir(), 'journeys-test-'));
  try {
    const outputs = await Promise.all(
      shares.map(async (share, index) => {
        const resultsFile = join(dir, `worker-${index}.json`);
        await runWorker([...process.execArgv, ...workerArgs(share, resultsFile)], onDone);
        return fromWire(await readFile(resultsFile, 'utf8'));
      }),
    );
    const order = new Map(files.map((f, i) => [f, i]));
    return outputs.flat().sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One worker process: its scenarios' ends come over the IPC channel as they happen. */
function runWorker(args: string[], onDone: (done: ScenarioDone) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: process.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEPT);
    });
    child.on('message', (message: unknown) => {
      const done = ScenarioDone.safeParse(message);
      if (done.success) onDone(done.data.scenarioDone);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`a test worker failed: ${stderr || `exit ${code ?? signal}`}`));
    });
  });
}
