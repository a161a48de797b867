import { join } from 'node:path';
import { STOP_CAUSES } from '#functions/ingest/ingest.ts';
import { stepOfState } from '#shared/journey/compile/context.ts';
import { stepFailureOf } from '#shared/journey/ending.ts';
import { type ExecutionRecord, readExecutions } from '../services/stepfunctions/api/executions.ts';
import { MachineStore } from '../services/stepfunctions/api/machines.ts';

/** What `journeys status <journey>` shows. */
export type JourneyStatus = {
  journeyId: string;
  versions: { version: number; createdAt: string }[];
  /** The version(s) the `live` alias routes to. */
  live: { version: number; weight: number }[];
  /**
   * Enrollments by version and status; a stopped (ABORTED) one by why: its goal
   * (`goal reached`), an exit event (`exit event`), or the error it was stopped with.
   */
  enrollments: { version: string; status: string; reason?: string; count: number }[];
  /** Steps in order of first visit, with how many enrollments reached each (a step's helper states count as the step). */
  funnel: { step: string; enrollments: number }[];
};

/** Causes of the StopExecution calls ingest makes: the report counts these as goal and exited. */
const STOPPED_BY: ReadonlySet<string> = new Set(Object.values(STOP_CAUSES));

/**
 * Why a stopped execution stopped, in a word the report uses; for one that
 * succeeded, the step whose failure ended it (policy `exit`); nothing for one
 * that ran to an exit step or failed.
 */
function stopReason(e: ExecutionRecord): string | undefined {
  if (e.status === 'SUCCEEDED') {
    const failure = stepFailureOf(e.output);
    return failure === undefined ? undefined : `${failure.stepId} failed: ${failure.error}`;
  }
  if (e.status !== 'ABORTED') return undefined;
  if (e.cause !== undefined && STOPPED_BY.has(e.cause)) return e.cause;
  return e.error;
}

/** The versions, enrollments and funnel of one journey, from a running runtime's data or a data directory. */
export async function journeyStatus(source: { options: { dataDir: string } } | string, journeyId: string) {
  const dataDir = typeof source === 'string' ? source : source.options.dataDir;
  const machineName = `journey-${journeyId}`;
  const store = await MachineStore.open(join(dataDir, 'stepfunctions', 'state-machines.json'));
  const machine = store.has(machineName) ? store.get(machineName) : undefined;
  const executions = [
    ...(await readExecutions(join(dataDir, 'stepfunctions', 'executions.jsonl'))).values(),
  ].filter((e) => e.machine === machineName);
  const counts = new Map<string, number>();
  const reached = new Map<string, number>();
  for (const e of executions) {
    const key = `${e.version ?? 'latest'}\u0000${e.status}\u0000${stopReason(e) ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const steps = new Set(e.visited.flatMap((state) => stepOfState(state) ?? []));
    for (const step of steps) reached.set(step, (reached.get(step) ?? 0) + 1);
  }
  const status: JourneyStatus = {
    journeyId,
    versions: (machine?.versions ?? [])
      .filter((v) => v.retired !== true)
      .map((v) => ({
        version: v.version,
        createdAt: new Date(v.createdAt * 1000).toISOString(),
      })),
    live: (machine?.aliases.find((a) => a.name === 'live')?.routing ?? []).map((r) => ({
      version: Number(r.stateMachineVersionArn.split(':').at(-1)),
      weight: r.weight,
    })),
    enrollments: [...counts].map(([key, count]) => {
      const [version = '', status = '', reason = ''] = key.split('\u0000');
      return { version, status, ...(reason === '' ? {} : { reason }), count };
    }),
    funnel: [...reached].map(([step, enrollments]) => ({ step, enrollments })),
  };
  return status;
}
