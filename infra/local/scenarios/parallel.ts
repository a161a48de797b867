import { execFile } from 'node:child_process';
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

/**
 * Runs scenario files in `jobs` worker processes of this CLI (each with its
 * own local runtime and ports), files dealt round-robin; results come back in
 * file order. A scenario's outcome does not depend on the process it ran in.
 */
export async function runInWorkers(
  files: readonly string[],
  jobs: number,
  workerArgs: (files: string[], resultsFile: string) => string[],
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
        await new Promise<void>((resolve, reject) => {
          execFile(
            process.execPath,
            [...process.execArgv, ...workerArgs(share, resultsFile)],
            { maxBuffer: 64 * 1024 * 1024, env: process.env },
            (error, _stdout, stderr) => {
              if (error !== null) reject(new Error(`a test worker failed: ${stderr || error.message}`));
              else resolve();
            },
          );
        });
        return fromWire(await readFile(resultsFile, 'utf8'));
      }),
    );
    const order = new Map(files.map((f, i) => [f, i]));
    return outputs.flat().sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
