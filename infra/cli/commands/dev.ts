import { existsSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import {
  DataDirInUseError,
  DEFAULT_PORTS,
  DEMO_START,
  type LocalOptions,
  PortInUseError,
  playDemo,
  readConnectionsFile,
  type ServiceName,
  startLocal,
} from '#infra/local/index.ts';
import { portsInUse } from '#infra/local/runtime/listen.ts';
import { resolveOptions } from '#infra/local/runtime/options.ts';
import { fail, paint } from '../output.ts';
import { parseRetention } from './dev-retention.ts';

export type DevOptions = {
  demo: boolean;
  reset?: boolean;
  watch: boolean;
  verbose?: boolean;
  timeScale: string;
  dataDir?: string;
  journeysDir?: string;
  connections?: string;
  /** Comma-separated event sources trusted to merge two known customers by alias. */
  aliasTrustedSources?: string;
  /** `key=value` each, from repeated `--retention`. */
  retention?: string[];
} & Partial<Record<`${ServiceName}Port`, string>>;

/** Read when it exists and --connections names no other file; kept out of git (credentials). */
export const DEFAULT_CONNECTIONS_FILE = 'connections.local.json';

/** Service names, for the `--<service>-port` options. */
export const SERVICES = Object.keys(DEFAULT_PORTS) as ServiceName[];

/** `journeys dev` (and `npm start`): the whole system on this machine, a demo, then events until Ctrl-C. */
export async function devCommand(options: DevOptions): Promise<void> {
  const local = toLocalOptions(options);
  if (local === undefined) return;
  const connectionsFile =
    options.connections ?? (existsSync(DEFAULT_CONNECTIONS_FILE) ? DEFAULT_CONNECTIONS_FILE : undefined);
  if (connectionsFile !== undefined) {
    try {
      local.connections = await readConnectionsFile(connectionsFile);
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
      return;
    }
  }
  const folder = shownFolder(resolveOptions(local).journeysDir);
  process.stdout.write(
    `${paint('bold', 'Journeys')} — starting the local runtime with the journeys of ${folder} (journey time ×${local.timeScale} while idle; \`npx journeys clock advance P1D\` jumps)…\n`,
  );
  let runtime: Awaited<ReturnType<typeof startLocal>>;
  try {
    runtime = await startLocal(local);
  } catch (error) {
    if (error instanceof PortInUseError) {
      // Every taken port at once: a second runtime on the default ports would otherwise learn of them one by one.
      fail(((await portsInUse(resolveOptions(local).ports)) ?? error).message);
      return;
    }
    if (error instanceof DataDirInUseError) {
      fail(error.message);
      return;
    }
    throw error;
  }
  const stop = async () => {
    process.stdout.write('\nStopping…\n');
    await runtime.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  printEndpoints(runtime.endpoints);
  if (options.demo) await playDemo(runtime);
  // The demo ran on the deterministic clock (the same timeline on every fresh start); now journey time follows the wall clock while idle.
  runtime.services.clock.runWithWallClock(runtime.options.timeScale);
  process.stdout.write(
    `\n${paint('bold', 'Console')}  ${runtime.endpoints.console} — journeys with live counts, customers, sent messages\n`,
  );
  process.stdout.write(
    `\n${paint('green', 'Ready.')} Send events with \`npx journeys send\` or \`aws events put-events --endpoint-url ${runtime.endpoints.eventbridge}\`; edit ${shownFolder(runtime.options.journeysDir)}*.json to redeploy. Ctrl-C stops.\n`,
  );
}

/** The journeys folder as the user can type it: relative to the working directory when inside it. */
function shownFolder(dir: string): string {
  const path = relative(process.cwd(), dir);
  if (path === '') return './';
  return `${path.startsWith('..') || isAbsolute(path) ? dir : path}${sep}`;
}

/** The runtime options of a `journeys dev` command line; undefined (after saying why) when one is wrong. */
export function toLocalOptions(options: DevOptions): LocalOptions | undefined {
  const timeScale = Number(options.timeScale);
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    fail(`--time-scale must be a positive number (60 = a minute per second), got "${options.timeScale}".`);
    return undefined;
  }
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const service of SERVICES) {
    const value = options[`${service}Port`];
    if (value === undefined) continue;
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      fail(`--${service}-port must be a port number (0–65535), got "${value}".`);
      return undefined;
    }
    ports[service] = port;
  }
  const retention = parseRetention(options.retention ?? []);
  if (!retention.ok) {
    fail(retention.message);
    return undefined;
  }
  return {
    clock: 'deterministic',
    // The demo plays the same timeline on every fresh start.
    ...(options.demo ? { startAt: DEMO_START } : {}),
    timeScale,
    ports,
    reset: options.reset ?? false,
    watch: options.watch,
    verbose: options.verbose ?? false,
    dataDir: options.dataDir,
    journeysDir: options.journeysDir,
    retention: retention.retention,
    aliasTrustedSources: (options.aliasTrustedSources ?? '')
      .split(',')
      .map((source) => source.trim())
      .filter(Boolean),
  };
}

function printEndpoints(endpoints: Record<string, string>): void {
  process.stdout.write(`\n${paint('bold', 'Endpoints')}\n`);
  for (const [name, url] of Object.entries(endpoints)) process.stdout.write(`  ${name.padEnd(12)} ${url}\n`);
}
