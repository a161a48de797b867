import * as z from 'zod';
import { AwsApiError, type JsonOperation, parseRequest as parse } from '../../../runtime/http.ts';
import { machineArn, parseMachineArn } from './arns.ts';
import type { ExecutionRecord } from './executions.ts';
import type { HistoryEvent } from './history.ts';
import type { LocalStepFunctions } from './service.ts';

/**
 * The Step Functions read API over local state machines and executions —
 * ListStateMachines, ListExecutions, ListStateMachineAliases,
 * GetExecutionHistory (see history.ts, and history-store.ts for retention) — as AWS
 * answers it, so the AWS CLI and SDK inspect local runs as they would
 * deployed ones. Pages are offsets in `nextToken`.
 */

const Page = { maxResults: z.number().int().min(0).max(1000).optional(), nextToken: z.string().optional() };

const inputs = {
  ListStateMachines: z.object(Page),
  ListExecutions: z.object({
    ...Page,
    stateMachineArn: z.string().optional(),
    statusFilter: z
      .enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'])
      .optional(),
  }),
  ListStateMachineAliases: z.object({ ...Page, stateMachineArn: z.string() }),
  GetExecutionHistory: z.object({
    ...Page,
    executionArn: z.string(),
    reverseOrder: z.boolean().optional(),
    includeExecutionData: z.boolean().optional(),
  }),
};

/** One page of items and the token of the next, AWS-style (100 by default, as the console pages). */
function page<T>(items: readonly T[], request: { maxResults?: number; nextToken?: string }) {
  const start = request.nextToken === undefined ? 0 : Number(request.nextToken);
  if (!Number.isInteger(start) || start < 0) throw new AwsApiError('InvalidToken', 'Invalid Token');
  const size = request.maxResults || 100;
  const slice = items.slice(start, start + size);
  const next = start + size < items.length ? { nextToken: String(start + size) } : {};
  return { slice, next };
}

/** An execution as ListExecutions lists it; DescribeExecution adds its input, output and error. */
export function executionItem(record: ExecutionRecord) {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate,
    ...(record.stopDate !== undefined && { stopDate: record.stopDate }),
    ...(record.stateMachineVersionArn !== undefined && {
      stateMachineVersionArn: record.stateMachineVersionArn,
    }),
    ...(record.stateMachineAliasArn !== undefined && { stateMachineAliasArn: record.stateMachineAliasArn }),
  };
}

/** Executions of a machine, or of one of its versions or aliases (what ListExecutions filters by). */
function ofMachine(arn: string | undefined): (record: ExecutionRecord) => boolean {
  if (arn === undefined) return () => true;
  const ref = parseMachineArn(arn);
  if (ref.version !== undefined) return (r) => r.stateMachineVersionArn === arn;
  if (ref.alias !== undefined) return (r) => r.stateMachineAliasArn === arn;
  return (r) => r.machine === ref.machine;
}

export function readOperations(sfn: LocalStepFunctions): Record<string, JsonOperation> {
  return {
    ListStateMachines: (input) => {
      const request = parse(inputs.ListStateMachines, input);
      const machines = sfn.machines.names().map((name) => sfn.machines.get(name));
      const { slice, next } = page(machines, request);
      return {
        stateMachines: slice.map((m) => ({
          stateMachineArn: machineArn(m.name),
          name: m.name,
          type: m.type,
          creationDate: m.createdAt,
        })),
        ...next,
      };
    },
    ListExecutions: (input) => {
      const request = parse(inputs.ListExecutions, input);
      if (request.stateMachineArn !== undefined)
        sfn.machines.get(parseMachineArn(request.stateMachineArn).machine);
      const matches = ofMachine(request.stateMachineArn);
      const records = [...sfn.executionRecords()]
        .filter(
          (r) => matches(r) && (request.statusFilter === undefined || r.status === request.statusFilter),
        )
        // Newest first, as AWS lists them.
        .sort((a, b) => b.startDate - a.startDate || b.name.localeCompare(a.name));
      const { slice, next } = page(records, request);
      return { executions: slice.map(executionItem), ...next };
    },
    GetExecutionHistory: async (input) => {
      const request = parse(inputs.GetExecutionHistory, input);
      const events = await sfn.history(request.executionArn);
      const ordered = request.reverseOrder ? events.reverse() : events;
      const { slice, next } = page(ordered, request);
      return {
        events: request.includeExecutionData === false ? slice.map(withoutData) : slice,
        ...next,
      };
    },
    ListStateMachineAliases: (input) => {
      const request = parse(inputs.ListStateMachineAliases, input);
      const machine = sfn.machines.get(parseMachineArn(request.stateMachineArn).machine);
      const { slice, next } = page(machine.aliases, request);
      return {
        stateMachineAliases: slice.map((a) => ({
          stateMachineAliasArn: `${machineArn(machine.name)}:${a.name}`,
          creationDate: a.createdAt,
        })),
        ...next,
      };
    },
  };
}

/** An event without its input and output, as `includeExecutionData: false` asks. */
function withoutData(event: HistoryEvent): HistoryEvent {
  const out: HistoryEvent = { ...event };
  for (const [key, value] of Object.entries(event)) {
    if (!isDetails(value)) continue;
    const { input: _input, output: _output, parameters: _parameters, ...rest } = value;
    out[key] = rest;
  }
  return out;
}

function isDetails(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
