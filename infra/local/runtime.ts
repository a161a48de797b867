import type { FSWatcher } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resetClients, setClients } from '#functions/_lib/clients.ts';
import { resetClock, setClock } from '#functions/_lib/clock.ts';
import {
  customerEventsPattern,
  type EventPattern,
  journeyObjectPattern,
  matchesPattern,
  sesDeliveryPattern,
  smsDeliveryPattern,
} from '#infra/routes.ts';
import { saveClock } from './clock.ts';
import { deployFolder, reportDeploy } from './deploys.ts';
import { type Endpoints, handlerEnvironment, LOCAL_NAMES, loggingEnvironment } from './env.ts';
import type { BusEvent, LocalBus } from './eventbridge.ts';
import {
  PUT_EVENTS_RESOURCE,
  putEventsIntegration,
  UPDATE_ITEM_RESOURCE,
  updateItemIntegration,
} from './integrations.ts';
import { type FunctionName, functionArn, type Invoke, loadFunction } from './lambdas.ts';
import { type LocalOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import { type Services, startServices } from './services.ts';
import type { LocalTaskHandler } from './stepfunctions/runner.ts';
import { recorded } from './tasks.ts';
import { watchFolder } from './watcher.ts';

/** A running local system. */
export type LocalRuntime = {
  endpoints: Endpoints & { sesViewer: string };
  /** The environment a handler or the AWS CLI needs to reach this runtime. */
  env: Record<string, string>;
  options: ResolvedOptions;
  services: Services;
  /** Redeploys every file of the journeys folder through the deploy handler. */
  deployAll: () => Promise<void>;
  /** Resolves when no event delivery is in flight. */
  settled: () => Promise<void>;
  stop: () => Promise<void>;
};

const TASK_FUNCTIONS: FunctionName[] = ['send-message', 'evaluate', 'await-event'];

/**
 * Starts the whole system on loopback: dynalite, the bus, Step Functions,
 * SES, Pinpoint, S3 and SQS stand-ins, with the real handlers of `functions/`
 * bound to them. Deploys the journeys folder, then watches it.
 */
export async function startLocal(input: LocalOptions = {}): Promise<LocalRuntime> {
  const options = resolveOptions(input);
  if (options.reset) await rm(options.dataDir, { recursive: true, force: true });
  const services = await startServices(options);
  try {
    const env = handlerEnvironment(services.endpoints, `${services.endpoints.s3}/unsubscribe`);
    Object.assign(process.env, env, loggingEnvironment(options.verbose));
    // Handlers create clients on first use from the environment just set.
    resetClients();
    // Handlers read journey time, the same scaled clock as Step Functions and the bus.
    setClock(() => services.clock.now());
    const functions = await loadFunctions();
    bindTasks(services, functions);
    route(services.bus, functions, options);
    const deployAll = () => deployFolder(services.bus, options);
    await deployAll();
    const watcher = options.watch ? watch(services.bus, options) : undefined;
    return {
      endpoints: { ...services.endpoints, sesViewer: services.ses.viewer },
      env,
      options,
      services,
      deployAll,
      settled: () => services.bus.idle(),
      stop: () => stopRuntime(services, watcher, options.dataDir),
    };
  } catch (error) {
    resetClock();
    await services.stop();
    throw error;
  }
}

async function loadFunctions(): Promise<Record<FunctionName, Invoke>> {
  return {
    ingest: await loadFunction('ingest'),
    'deploy-journey': await loadFunction('deploy-journey'),
    'delivery-feedback': await loadFunction('delivery-feedback'),
    'send-message': await loadFunction('send-message'),
    evaluate: await loadFunction('evaluate'),
    'await-event': await loadFunction('await-event'),
  };
}

function bindTasks(services: Services, functions: Record<FunctionName, Invoke>): void {
  const bind = (resource: string, fn: LocalTaskHandler) => {
    services.taskHandlers[resource] = recorded(services.activity, fn, () => services.clock.now());
  };
  for (const name of TASK_FUNCTIONS) bind(functionArn(name), (input) => functions[name](input));
  bind(UPDATE_ITEM_RESOURCE, updateItemIntegration(services.dynamo.client));
  bind(PUT_EVENTS_RESOURCE, putEventsIntegration(services.bus));
}

function route(bus: LocalBus, functions: Record<FunctionName, Invoke>, options: ResolvedOptions): void {
  const rule = (
    name: string,
    busName: string,
    pattern: EventPattern,
    deliver: (e: BusEvent) => Promise<unknown>,
  ) => bus.addTarget({ name, busName, matches: (event) => matchesPattern(pattern, event), deliver });
  rule('ingest', LOCAL_NAMES.eventBus, customerEventsPattern, functions.ingest);
  rule('deploy-journey', 'default', journeyObjectPattern(LOCAL_NAMES.bucket), async (event) =>
    reportDeploy(event, await functions['deploy-journey'](event), options.log),
  );
  rule(
    'delivery-feedback',
    'default',
    sesDeliveryPattern(LOCAL_NAMES.configurationSet),
    functions['delivery-feedback'],
  );
  rule('delivery-feedback', 'default', smsDeliveryPattern, functions['delivery-feedback']);
}

function watch(bus: LocalBus, options: ResolvedOptions): FSWatcher {
  return watchFolder(options.journeysDir, LOCAL_NAMES.bucket, async (notification) => {
    await bus.put([notification]);
  });
}

async function stopRuntime(
  services: Services,
  watcher: FSWatcher | undefined,
  dataDir: string,
): Promise<void> {
  watcher?.close();
  await services.bus.idle();
  await services.sfn.stopAll();
  await services.activity.flushed();
  await saveClock(dataDir, services.clock);
  setClients({});
  resetClients();
  resetClock();
  await services.stop();
}
