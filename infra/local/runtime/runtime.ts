import type { FSWatcher } from 'node:fs';
import { rm } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setClients } from '#functions/_lib/clients.ts';
import { resetClock, setClock } from '#functions/_lib/clock.ts';
import { coldStart } from '#functions/_lib/cold-start.ts';
import { logger } from '#functions/_lib/observability.ts';
import { liveRegistry, registryRepository } from '#functions/_lib/repositories.ts';
import { inRuntimeScope, type RuntimeScope } from '#functions/_lib/runtime-scope.ts';
import { resetVariantPins, setVariantPins } from '#functions/_lib/variant-pins.ts';
import { type FunctionName, MANIFESTS } from '#functions/manifests.ts';
import {
  customerEventsPattern,
  type EventPattern,
  executionStatusPattern,
  journeyObjectPattern,
  matchesPattern,
  sesDeliveryPattern,
  smsDeliveryPattern,
} from '#infra/routes.ts';
import { HTTP_INVOKE_RESOURCE } from '#shared/journey/compile/webhook.ts';
import { startConsole } from '../console/start.ts';
import { deferralReason } from '../inspect/deferrals.ts';
import { localDocumentClient } from '../services/dynamodb/local-document-client.ts';
import type { BusEvent } from '../services/eventbridge/bus.ts';
import { watchFolder } from '../services/s3/notifications.ts';
import { LocalScheduler } from '../services/scheduler/scheduler.ts';
import { httpInvokeIntegration } from '../services/stepfunctions/http-invoke.ts';
import {
  PUT_EVENTS_RESOURCE,
  putEventsIntegration,
  UPDATE_ITEM_RESOURCE,
  updateItemIntegration,
} from '../services/stepfunctions/integrations.ts';
import type { LocalTaskHandler } from '../services/stepfunctions/runner/runner.ts';
import { saveClock } from './clock.ts';
import { localConnections } from './connections.ts';
import { deployFolder, reportDeploy } from './deploys.ts';
import { type Endpoints, handlerEnvironment, LOCAL_NAMES, LOCAL_TABLES, loggingEnvironment } from './env.ts';
import { expireItems } from './expiry.ts';
import { runInvocationsConcurrently, stopRunningInvocationsConcurrently } from './invocations.ts';
import { functionArn, type Invoke, loadFunction } from './lambdas.ts';
import { type LocalOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import { assertDataDirFree, markRunning, markStopped } from './running.ts';
import { type Services, startServices } from './services.ts';
import { recorded } from './tasks.ts';

/** A running local system. */
export type LocalRuntime = {
  /** `console`: the local console's page. */
  endpoints: Endpoints & { sesViewer: string; console: string };
  /** The environment a handler or the AWS CLI needs to reach this runtime. */
  env: Record<string, string>;
  options: ResolvedOptions;
  services: Services;
  /** The schedules of the active segment journeys, invoking segment-entry on the journey clock. */
  scheduler: LocalScheduler;
  /**
   * Lets journey time run to an instant (epoch ms or ISO): every timer due
   * until then fires in order; resolves when the system is idle there.
   */
  advanceTo: (to: number | string) => Promise<void>;
  /** Redeploys every file of the journeys folder through the deploy handler. */
  deployAll: () => Promise<void>;
  /** Resolves when nothing is in flight and no timer is due: what can happen now has happened. */
  settled: () => Promise<void>;
  stop: () => Promise<void>;
};

type Functions = Record<FunctionName, Invoke>;

/** The functions compiled journeys invoke as Task states (those with a task contract). */
const TASK_FUNCTIONS = MANIFESTS.flatMap((manifest) => (manifest.task === undefined ? [] : [manifest.name]));

/**
 * Starts the whole system on loopback: dynalite, the bus, Step Functions,
 * SES, Pinpoint, S3 and SQS stand-ins, with the real handlers of `functions/`
 * bound to them. Deploys the journeys folder, then watches it.
 */
export async function startLocal(input: LocalOptions = {}): Promise<LocalRuntime> {
  const options = resolveOptions(input);
  // Before --reset clears it or dynalite opens it: a second runtime on the folder would break the first.
  assertDataDirFree(options.dataDir);
  if (options.reset) await rm(options.dataDir, { recursive: true, force: true });
  const services = await startServices(options);
  let stopExpiry = () => {};
  try {
    // Claimed as soon as its database is open, for the whole start (deploys can take seconds).
    const { dynamodb, eventbridge, sfn, ses, pinpoint } = services.endpoints;
    await markRunning(options.dataDir, {
      dynamodb,
      eventbridge,
      sfn,
      ses,
      pinpoint,
      journeysDir: options.journeysDir,
    });
    const env = handlerEnvironment(
      services.endpoints,
      { baseUrl: services.unsubscribe.url, signingKey: services.unsubscribe.signingKey },
      options.connections,
      options.aliasTrustedSources,
    );
    // The handlers read this runtime's environment and keep their config, clients and caches apart
    // from another runtime's in this process; code outside any invocation reads the process's.
    const scope: RuntimeScope = { env: { ...env, ...loggingEnvironment(options.verbose) } };
    Object.assign(process.env, env, loggingEnvironment(options.verbose));
    // Handlers run side by side here: each invocation keeps its own metrics and log context.
    runInvocationsConcurrently();
    // The handlers' logger was built when this module's imports loaded it: it takes the level now.
    logger.setLogLevel(options.verbose ? 'DEBUG' : 'WARN');
    // A cold start of every function: config, clients and caches are built on first use from the
    // environment just set, whatever runtime this process started before.
    coldStart();
    // The handlers' DynamoDB client, as they would build it from that environment, reaches dynalite
    // in-process: the same requests and answers as over loopback HTTP, without the sockets.
    setClients(dynamoClients(services.dynamo));
    // Handlers read journey time, the same clock as Step Functions and the bus.
    setClock(() => services.clock.now());
    inRuntimeScope(scope, () => {
      setClients(dynamoClients(services.dynamo));
      setClock(() => services.clock.now());
      // Its ingest reads them there: another runtime in this process pins its own customers.
      setVariantPins(options.variantPins);
    });
    if (options.clock === 'interactive') services.clock.runWithWallClock(options.timeScale);
    stopExpiry = await expireItems(services.dynamo.client, services.clock, (m) => options.log(`! ${m}`));
    const functions = await loadFunctions(scope);
    bindTasks(services, functions, options);
    // Executions a previous run left waiting go on, now that their tasks have handlers.
    services.sfn.resumeParked();
    services.unsubscribe.bind(functions.unsubscribe);
    services.segmentQueue.bind(async (event) => {
      const answer = await functions['segment-entry'](event);
      // The customers a segment run turned away go on their timelines, as those of ingest do.
      services.activity.recordSkipsFrom(answer, services.clock.now());
      return answer;
    });
    const scheduler = new LocalScheduler(services.clock, functions['segment-entry'], (m) =>
      options.log(`! ${m}`),
    );
    // What the runtime does with the handlers' state outside an invocation (the registry read for
    // schedules, the registry cache a deploy refreshes) is on this runtime's, as theirs is.
    const inScope = <T>(run: () => T): T => inRuntimeScope(scope, run);
    const syncSchedules = () => inScope(() => schedule(scheduler, options));
    route(services, functions, options, { syncSchedules, inScope });
    // Executions a previous run left at work ended as aborted: their status changes go out now that they are routed.
    services.sfn.announceAbandoned();
    const deployAll = async () => {
      await deployFolder(services.bus, options);
      await syncSchedules();
    };
    await deployAll();
    // What the deploy started (a schedule's first run) happens before anything else: a run is reproducible.
    await settled(services, scheduler);
    const web = await startConsole(services, options);
    const watcher = options.watch ? watch(services, options) : undefined;
    return {
      endpoints: { ...services.endpoints, sesViewer: services.ses.viewer, console: web.url },
      env,
      options,
      services,
      scheduler,
      advanceTo: async (to) => {
        await services.clock.advanceTo(typeof to === 'number' ? to : Date.parse(to));
        await settled(services, scheduler);
      },
      deployAll,
      settled: () => settled(services, scheduler),
      stop: async () => {
        stopExpiry();
        await web.serving.close();
        await stopRuntime(services, scheduler, watcher, options.dataDir, scope);
      },
    };
  } catch (error) {
    stopExpiry();
    stopRunningInvocationsConcurrently();
    resetClock();
    await markStopped(options.dataDir);
    await services.stop();
    throw error;
  }
}

async function loadFunctions(scope: RuntimeScope): Promise<Functions> {
  const load = (name: FunctionName) => loadFunction(name, undefined, scope);
  return {
    'segment-entry': await load('segment-entry'),
    ingest: await load('ingest'),
    'deploy-journey': await load('deploy-journey'),
    'delivery-feedback': await load('delivery-feedback'),
    'send-message': await load('send-message'),
    evaluate: await load('evaluate'),
    'await-event': await load('await-event'),
    'execution-status': await load('execution-status'),
    unsubscribe: await load('unsubscribe'),
  };
}

function bindTasks(services: Services, functions: Functions, options: ResolvedOptions): void {
  const explain = deferralReason(services.dynamo.client);
  const bind = (resource: string, fn: LocalTaskHandler) => {
    services.taskHandlers[resource] = recorded(services.activity, fn, () => services.clock.now(), explain);
  };
  for (const name of TASK_FUNCTIONS) bind(functionArn(name), (input) => functions[name](input));
  bind(UPDATE_ITEM_RESOURCE, updateItemIntegration(services.dynamo.client));
  bind(PUT_EVENTS_RESOURCE, putEventsIntegration(services.bus));
  // The credentials are added inside the call, as EventBridge adds them: the recorded input names only the ARN.
  bind(HTTP_INVOKE_RESOURCE, httpInvokeIntegration(localConnections(options.connections)));
}

/** The handlers' DynamoDB clients on the runtime's dynalite in-process, the document client as the tests' (local-document-client.ts). */
function dynamoClients(dynamo: Services['dynamo']) {
  const config = { endpoint: dynamo.endpoint, ...dynamo.inProcess };
  return { dynamo: localDocumentClient(config), dynamoTables: new DynamoDBClient(config) };
}

/** The schedules follow the registry after every deploy, as deploy-journey keeps Scheduler in step in AWS. */
async function schedule(scheduler: LocalScheduler, options: ResolvedOptions): Promise<void> {
  try {
    scheduler.sync(await registryRepository(LOCAL_TABLES.journeys).listLive());
  } catch (error) {
    options.log(`! schedules not updated: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Every piece of work runs into the next: a segment run queues scans, scans queue enrollments. */
async function settled(services: Services, scheduler: LocalScheduler): Promise<void> {
  do {
    await services.clock.settled();
    await scheduler.idle();
    await services.segmentQueue.idle();
    await services.bus.idle();
  } while (services.segmentQueue.busy || scheduler.busy || services.clock.busy);
}

function route(
  { bus, conversions, activity, clock }: Pick<Services, 'bus' | 'conversions' | 'activity' | 'clock'>,
  functions: Functions,
  options: ResolvedOptions,
  runtime: { syncSchedules: () => Promise<void>; inScope: <T>(run: () => T) => T },
): void {
  const rule = (
    name: string,
    busName: string,
    pattern: EventPattern,
    deliver: (e: BusEvent) => Promise<unknown>,
  ) => bus.addTarget({ name, busName, matches: (event) => matchesPattern(pattern, event), deliver });
  rule('ingest', LOCAL_NAMES.eventBus, customerEventsPattern, async (event) => {
    const answer = await functions.ingest(event);
    conversions.recordFrom(answer, clock.now());
    activity.recordSkipsFrom(answer, clock.now());
    return answer;
  });
  rule('deploy-journey', 'default', journeyObjectPattern(LOCAL_NAMES.bucket), async (event) => {
    const outcome = await functions['deploy-journey'](event);
    // Ingest caches the live journeys; locally it shares this process, so a deploy is seen by the next
    // event: the cache of this runtime's ingest, not the process's (runtime-scope.ts).
    runtime.inScope(() => liveRegistry(LOCAL_TABLES.journeys).invalidate());
    await runtime.syncSchedules();
    return reportDeploy(event, outcome, options);
  });
  rule(
    'delivery-feedback',
    'default',
    sesDeliveryPattern(LOCAL_NAMES.configurationSet),
    functions['delivery-feedback'],
  );
  rule(
    'delivery-feedback',
    'default',
    smsDeliveryPattern(LOCAL_NAMES.configurationSet),
    functions['delivery-feedback'],
  );
  rule('execution-status', 'default', executionStatusPattern(), functions['execution-status']);
}

function watch(services: Services, options: ResolvedOptions): FSWatcher {
  return watchFolder(options.journeysDir, LOCAL_NAMES.bucket, async (notification) => {
    await services.clock.track(services.bus.put([notification]));
  });
}

async function stopRuntime(
  services: Services,
  scheduler: LocalScheduler,
  watcher: FSWatcher | undefined,
  dataDir: string,
  scope: RuntimeScope,
): Promise<void> {
  watcher?.close();
  scheduler.stop();
  services.clock.stopWallClock();
  await settled(services, scheduler);
  // An aborted execution still ends as on AWS: its status event is delivered
  // while the stand-ins listen, not after they (and a test's data) are gone.
  await services.sfn.stopAll();
  await settled(services, scheduler);
  services.clock.stop();
  await services.activity.flushed();
  await services.conversions.flushed();
  await saveClock(dataDir, services.clock);
  await markStopped(dataDir);
  // What the handlers kept, this runtime's and the process's.
  const forget = () => {
    setClients({});
    coldStart();
    resetClock();
    resetVariantPins();
  };
  forget();
  inRuntimeScope(scope, forget);
  stopRunningInvocationsConcurrently();
  await services.stop();
}
