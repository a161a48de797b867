import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { timeoutSecondsOf } from '#functions/_lib/manifest.ts';
import { manifestOf } from '#functions/manifests.ts';
import { type LocalDynamo, startDynamo } from '../services/dynamodb/dynalite.ts';
import { archivePath } from '../services/eventbridge/archive.ts';
import { createEventBridgeServer, LocalBus } from '../services/eventbridge/bus.ts';
import { DEAD_LETTERS_FILE } from '../services/eventbridge/dead-letters.ts';
import { type LocalUnsubscribe, startUnsubscribe } from '../services/function-url/unsubscribe.ts';
import { outboxLine, outboxPath } from '../services/pinpoint/outbox.ts';
import { createPinpointServer } from '../services/pinpoint/pinpoint.ts';
import {
  SMS_RECEIPT_MS,
  smsReceiptEntry,
  smsReceiptFor,
  smsReceiptKey,
} from '../services/pinpoint/sms-receipts.ts';
import { createS3Server } from '../services/s3/s3.ts';
import { SES_FEEDBACK_MS, sesEventEntries } from '../services/ses/feedback.ts';
import { sentEmailsPath } from '../services/ses/sent-log.ts';
import { type LocalSes, startSes } from '../services/ses/ses.ts';
import { createSqsServer } from '../services/sqs/sqs.ts';
import {
  abandonRunning,
  ExecutionLog,
  type ExecutionRecord,
} from '../services/stepfunctions/api/executions.ts';
import { HistoryStore } from '../services/stepfunctions/api/history-store.ts';
import { MachineStore } from '../services/stepfunctions/api/machines.ts';
import { createStepFunctionsServer } from '../services/stepfunctions/api/server.ts';
import { LocalStepFunctions } from '../services/stepfunctions/api/service.ts';
import { executionStatusEntry } from '../services/stepfunctions/api/status-events.ts';
import type { LocalTaskHandler } from '../services/stepfunctions/runner/runner.ts';
import { ActivityLog } from './activity.ts';
import { type JourneyClock, openClock, runnerTime } from './clock.ts';
import { CONTROL_PREFIX, localControl } from './control.ts';
import { ConversionLog } from './conversions.ts';
import { type Endpoints, LOCAL_NAMES } from './env.ts';
import { type ServiceName, type Serving, serve as serveOn } from './listen.ts';
import type { ResolvedOptions } from './options.ts';
import { QueueWorker } from './queue-worker.ts';

/** The running stand-ins, before the handlers are bound to them. */
export type Services = {
  endpoints: Endpoints;
  dynamo: LocalDynamo;
  ses: LocalSes;
  bus: LocalBus;
  sfn: LocalStepFunctions;
  activity: ActivityLog;
  /** The goals ingest counted, per enrollment. */
  conversions: ConversionLog;
  /** Journey time, resumed from the data directory's last run. */
  clock: JourneyClock;
  /** The segment queue; delivers to segment-entry once the handlers are bound. */
  segmentQueue: QueueWorker;
  /** Filled once the handlers are loaded: the SFN service reads it at each execution. */
  taskHandlers: Record<string, LocalTaskHandler>;
  unsubscribe: LocalUnsubscribe;
  stop: () => Promise<void>;
};

/** Starts every local stand-in on loopback; fails with PortInUseError naming the port and option. */
export async function startServices(options: ResolvedOptions): Promise<Services> {
  const dir = options.dataDir;
  await mkdir(join(dir, 'queues'), { recursive: true });
  await mkdir(join(dir, 'stepfunctions'), { recursive: true });
  // Data kept on disk is read by the next run: its clock is kept current too (a killed run saves nothing at its stop).
  const clock = await openClock(dir, options.startAt, { persist: !options.inMemory });
  const servers: Serving[] = [];
  const started: { stop: () => Promise<void> }[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop();
    for (const server of servers) await server.close();
  };
  try {
    const dynamo = await startDynamo(
      options.inMemory ? undefined : join(dir, 'dynamodb'),
      options.ports.dynamodb,
      options.heldPorts,
    );
    started.push(dynamo);
    const ses = await startSes(options.ports.ses, options.retention.sentEmails, {
      heldPorts: options.heldPorts,
      // Kept with the rest of the data a restart reads (not for a run that throws its data away).
      ...(options.inMemory ? {} : { file: sentEmailsPath(dir), maxBytes: options.retention.logBytes }),
      onSent: (email, key) => {
        // After the send has settled (journey time stands still while it runs), as SES publishes.
        const put = () => bus.put(sesEventEntries(email, clock.now()));
        publishLater(clock, SES_FEEDBACK_MS, `ses/${key}`, put, options.log);
      },
    });
    started.push(ses);
    const bus = new LocalBus(['default', LOCAL_NAMES.eventBus], {
      files: { archive: archivePath(dir), deadLetters: join(dir, DEAD_LETTERS_FILE) },
      maxFileBytes: options.retention.logBytes,
      onError: (message) => options.log(`! ${message}`),
      clock,
    });
    const segmentQueue = segmentWorker(dir, options, clock);
    started.push({ stop: async () => segmentQueue.stop() });
    // Keyed by resources and function names, which definitions (and their inputs) name: no prototype.
    const taskHandlers: Record<string, LocalTaskHandler> = Object.create(null);
    const sfn = await stepFunctions(dir, options, taskHandlers, clock, (record) => {
      // As on AWS, the end of an execution is an event on the default bus.
      // Tracked: journey time waits for the event and what it causes.
      clock
        .track(bus.put([executionStatusEntry(record)]))
        .catch((error: unknown) => options.log(`! ${String(error)}`));
    });
    const serve = async (service: ServiceName, server: Server) => {
      holdWhileServing(server, clock);
      const serving = await serveOn(server, service, options.ports[service], options.heldPorts);
      servers.push(serving);
      return `http://127.0.0.1:${serving.port}`;
    };
    const endpoints: Endpoints = {
      dynamodb: dynamo.endpoint,
      ses: ses.endpoint,
      eventbridge: await serve(
        'eventbridge',
        createEventBridgeServer(bus, localControl({ clock, bus, deadLetters: join(dir, DEAD_LETTERS_FILE) })),
      ),
      sfn: await serve('sfn', createStepFunctionsServer(sfn)),
      pinpoint: await serve(
        'pinpoint',
        createPinpointServer(
          outboxPath(dir),
          (m) => {
            options.log(outboxLine(m));
            const receipt = m.channel === 'sms' ? smsReceiptFor(m.to) : undefined;
            if (receipt === undefined) return;
            // After the send has settled (journey time stands still while it runs), as on AWS.
            const put = () => bus.put([smsReceiptEntry(m.messageId, clock.now(), receipt, m.context)]);
            publishLater(clock, SMS_RECEIPT_MS, `sms/${smsReceiptKey(m)}`, put, options.log);
          },
          () => clock.now(),
          options.retention.logBytes,
        ),
      ),
      s3: await serve('s3', createS3Server(LOCAL_NAMES.bucket, options.journeysDir)),
      sqs: await serve(
        'sqs',
        createSqsServer(join(dir, 'queues'), [LOCAL_NAMES.rejectedQueue], {
          workers: [segmentQueue],
          maxBytes: options.retention.logBytes,
          now: () => clock.now(),
        }),
      ),
    };
    const activity = new ActivityLog(dir, options.retention.logBytes);
    const conversions = new ConversionLog(dir, options.retention.logBytes);
    const unsubscribe = await startUnsubscribe(dir, options.heldPorts);
    started.push(unsubscribe);
    return {
      endpoints,
      dynamo,
      ses,
      bus,
      sfn,
      activity,
      conversions,
      clock,
      segmentQueue,
      taskHandlers,
      unsubscribe,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The segment queue's event source, as the stack configures it
 * (`infra/constructs/segment-entry.ts`, which the runtime does not import: it
 * would load aws-cdk-lib; a test holds the two equal): 2 messages per
 * invocation, 10 invocations at once, 5 receives before the dead-letter file,
 * and a failed message received again after the visibility timeout (6 × the
 * function's timeout) of journey time.
 */
export const SEGMENT_EVENT_SOURCE = {
  batchSize: 2,
  concurrency: 10,
  maxReceiveCount: 5,
  visibilityTimeoutMs: 6 * timeoutSecondsOf(manifestOf('segment-entry')) * 1000,
} as const;

/**
 * What a provider publishes about a message, `delayMs` of journey time after
 * the send. Reports due at one instant reach the bus in the order of their
 * keys (made from the message, the same on every run), not in the order the
 * sends happened to finish: the archive, and what the reports cause, are the
 * same from run to run. Tracked: journey time waits for the put and what it causes.
 */
function publishLater(
  clock: JourneyClock,
  delayMs: number,
  key: string,
  put: () => Promise<unknown>,
  log: (line: string) => void,
): void {
  const fire = () => {
    clock.track(put()).catch((error: unknown) => log(`! ${String(error)}`));
  };
  clock.at(clock.nowMs() + delayMs, fire, key);
}

function segmentWorker(dir: string, options: ResolvedOptions, clock: JourneyClock): QueueWorker {
  const { visibilityTimeoutMs, ...source } = SEGMENT_EVENT_SOURCE;
  return new QueueWorker(LOCAL_NAMES.segmentQueue, {
    ...source,
    retryDelayMs: visibilityTimeoutMs,
    deadLetters: join(dir, 'queues', `${LOCAL_NAMES.segmentQueue}-dead-letters.jsonl`),
    deadLetterBytes: options.retention.logBytes,
    onError: (message) => options.log(`! ${message}`),
    clock,
  });
}

/**
 * A request to a stand-in is work in flight: journey time waits for its
 * reply. Control requests are not (one asks time to move).
 */
function holdWhileServing(server: Server, clock: JourneyClock): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith(CONTROL_PREFIX)) return;
    res.on('close', clock.hold());
  });
}

async function stepFunctions(
  dir: string,
  { retention }: ResolvedOptions,
  handlers: Record<string, LocalTaskHandler>,
  clock: JourneyClock,
  onExecutionEnd: (record: ExecutionRecord) => void,
): Promise<LocalStepFunctions> {
  const executions = await ExecutionLog.open(join(dir, 'stepfunctions', 'executions.jsonl'));
  const closed = { days: retention.closedExecutionDays, newest: retention.closedExecutions };
  const histories = await HistoryStore.open(
    join(dir, 'stepfunctions', 'history'),
    () => clock.nowMs(),
    closed,
  );
  const abandoned = abandonRunning(executions.records, clock.nowMs() / 1000);
  for (const record of abandoned) {
    await executions.write(record);
    await histories.discard(record.executionArn);
  }
  await executions.retain(() => clock.nowMs(), closed);
  await histories.keepParked(
    [...executions.records.values()].filter((r) => r.status === 'RUNNING').map((r) => r.executionArn),
  );
  return new LocalStepFunctions({
    machines: await MachineStore.open(
      join(dir, 'stepfunctions', 'state-machines.json'),
      () => clock.nowMs() / 1000,
    ),
    executions,
    histories,
    keepVersions: retention.stateMachineVersions,
    handlers,
    time: runnerTime(clock),
    onExecutionEnd,
    abandoned,
  });
}
