import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentOptions } from '#functions/_lib/clients/dynamo.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { CUSTOMER_EVENT_SOURCE } from '#shared/events.ts';
import { reservedTraitProblem } from '#shared/ingest/reserved-traits.ts';
import { isValidTimeZone } from '#shared/time.ts';
import { customerTimelines } from '../inspect/timeline.ts';
import { formatWhen } from '../inspect/when.ts';
import { LOCAL_NAMES, LOCAL_TABLES } from '../runtime/env.ts';
import { HeldPorts } from '../runtime/listen.ts';
import { ANY_PORTS } from '../runtime/options.ts';
import { type LocalRuntime, startLocal } from '../runtime/runtime.ts';
import { sesEventEntry } from '../services/ses/feedback.ts';
import { editJourney } from './edit-journey.ts';
import { refusedCalls } from './expect-webhook.ts';
import { check, type Verdict } from './expectations.ts';
import {
  allJourneys,
  JourneyJson,
  journeyFile,
  readJourney,
  readJourneyFile,
  webhookBases,
} from './journey-files.ts';
import { observe } from './observe.ts';
import type { Expectation, Scenario, ScenarioEvent } from './scenario.ts';
import { WebhookStandIn } from './webhook-stand-in.ts';
import { resolveWhen } from './when.ts';

/** One customer's timeline as printed: the zone its times are in, and its lines. */
export type CustomerLines = { zone: string; lines: string[] };

/** How a scenario went: each expectation's verdict, and the timelines of the customers of failed ones. */
export type ScenarioResult = {
  file: string;
  name: string;
  verdicts: Verdict[];
  /** Per customer of a failed expectation: the timeline lines, at the time of day of `zone`. */
  timelines: Map<string, CustomerLines>;
  wallMs: number;
  error?: string;
};

const SEVEN_DAYS = 7 * 86_400_000;
/**
 * Runs scenarios one after the other, each on a fresh runtime of its own on
 * the deterministic clock. Handlers keep their AWS clients and config per
 * process, as in Lambda, so every runtime answers on the same ports, held
 * open from the first runtime to the last (another process can't take one
 * in between), and every runtime has the same webhook connections: those
 * the journeys of the folder and its examples use, all answered by one
 * stand-in (whatever scenarios a process runs, deploy-journey sees one set).
 */
export async function runScenarios(
  scenarios: readonly { file: string; scenario: Scenario }[],
  journeysDir: string,
  options: { webhookCredential?: string; onResult?: (result: ScenarioResult) => void } = {},
): Promise<ScenarioResult[]> {
  const bases = webhookBases(await allJourneys(journeysDir));
  const webhooks =
    bases.size === 0 ? undefined : await WebhookStandIn.start(bases, options.webhookCredential);
  const heldPorts = new HeldPorts();
  try {
    return await runEach(scenarios, journeysDir, webhooks, heldPorts, options.onResult);
  } finally {
    await heldPorts.close();
    await webhooks?.close();
  }
}

async function runEach(
  scenarios: readonly { file: string; scenario: Scenario }[],
  journeysDir: string,
  webhooks: WebhookStandIn | undefined,
  heldPorts: HeldPorts,
  onResult: ((result: ScenarioResult) => void) | undefined,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const { file, scenario } of scenarios) {
    const started = performance.now();
    let box: Box | undefined;
    let runtime: LocalRuntime | undefined;
    try {
      box = await sandbox(journeysDir, scenario);
      // What the runtime reports while it deploys: a journey refused or failing to deploy ends the scenario with why.
      const problems: string[] = [];
      runtime = await startLocal({
        dataDir: box.dataDir,
        journeysDir: box.journeysDir,
        clock: 'deterministic',
        startAt: scenario.start,
        ports: ANY_PORTS,
        heldPorts,
        watch: false,
        inMemory: true,
        log: deployProblems(problems),
        variantPins: variantPins(scenario),
        ...(webhooks === undefined ? {} : { connections: webhooks.connections }),
      });
      if (problems.length > 0) throw new Error(`the journeys did not deploy:\n${problems.join('\n')}`);
      webhooks?.play(runtime, scenario.webhooks);
      const result = await play(runtime, scenario, box.journeysDir, webhooks, problems, box.defaultZones);
      results.push({ file, name: scenario.name, ...result, wallMs: performance.now() - started });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.push({
        file,
        name: scenario.name,
        verdicts: [],
        timelines: new Map(),
        wallMs: 0,
        error: message,
      });
    } finally {
      await runtime?.stop();
      await box?.remove();
    }
    const done = results.at(-1);
    if (done !== undefined) onResult?.(done);
  }
  return results;
}

async function play(
  runtime: LocalRuntime,
  scenario: Scenario,
  journeysDir: string,
  webhooks: WebhookStandIn | undefined,
  deployProblems: readonly string[],
  defaultZones: ReadonlyMap<string, string>,
) {
  const startMs = runtime.services.clock.nowMs();
  const cohorts = new Map<string, string[]>();
  const identifies: Record<string, unknown>[] = [];
  for (const customer of scenario.customers) {
    const ids = memberIds(customer);
    cohorts.set(customer.id, ids);
    for (const id of ids) identifies.push(identifyOf(id, customer));
  }
  let seq = 0;
  const put = async (details: Record<string, unknown>[]) => {
    for (let i = 0; i < details.length; i += 10) {
      const at = runtime.services.clock.now().toISOString();
      const entries = details.slice(i, i + 10).map((detail) => ({
        Source: CUSTOMER_EVENT_SOURCE,
        DetailType: String(detail.type),
        // Message ids from the scenario, not random: a re-run is the same run.
        Detail: JSON.stringify({ messageId: `scenario-${seq++}`, timestamp: at, ...detail }),
        EventBusName: LOCAL_NAMES.eventBus,
      }));
      const out = await runtime.services.bus.put(entries);
      if (out.FailedEntryCount > 0)
        throw new Error(`the bus refused an event: ${JSON.stringify(out.Entries)}`);
    }
    await runtime.settled();
  };
  await put(identifies);
  const timed = scenario.events
    .map((event, index) => ({ event, index, at: resolveWhen(event.at, startMs) }))
    .sort((a, b) => a.at - b.at || a.index - b.index);
  for (const { event, at } of timed) {
    await runtime.advanceTo(at);
    const users = 'user' in event ? (cohorts.get(event.user) ?? [event.user]) : [];
    if ('deploy' in event) {
      const before = deployProblems.length;
      await redeploy(runtime, journeysDir, event);
      if (deployProblems.length > before)
        throw new Error(`the edited journey did not deploy:\n${deployProblems.slice(before).join('\n')}`);
    } else if ('track' in event || 'identify' in event)
      await put(users.map((user) => detailOf(user, event, startMs)));
    else await engage(runtime, users, event);
  }
  const last = timed.at(-1)?.at ?? startMs;
  await runtime.advanceTo(
    scenario.until === undefined ? last + SEVEN_DAYS : resolveWhen(scenario.until, last),
  );
  await runtime.services.activity.flushed();
  await runtime.services.conversions.flushed();
  const observed = await observe(runtime.options.dataDir, runtime.endpoints.ses);
  // This runtime's tables, never the handlers' clients of whichever runtime this process started last.
  const profiles = new ProfilesRepository(
    DynamoDBDocumentClient.from(runtime.services.dynamo.client, documentOptions()),
    LOCAL_TABLES.profiles,
  );
  const zones = await profileZones(profiles, scenario.expect);
  const verdicts: Verdict[] = [];
  for (const expectation of scenario.expect) {
    verdicts.push(
      await check(expectation, {
        observed,
        startMs,
        zoneOf: (id, journey = scenario.journeys[0]) =>
          zones.get(id) ?? (journey === undefined ? undefined : defaultZones.get(journey)) ?? 'UTC',
        cohort: (id) => cohorts.get(id),
        trait: async (id, name) => {
          const { traits } = (await profiles.get(id)).profile;
          return Object.hasOwn(traits, name) ? traits[name] : undefined;
        },
        webhookCalls: webhooks?.calls ?? [],
      }),
    );
  }
  const refused = refusedCalls(webhooks?.calls ?? []);
  if (refused !== undefined) verdicts.push({ ...refused, users: [] });
  const fallbackZone = defaultZones.get(scenario.journeys[0] ?? '') ?? 'UTC';
  return { verdicts, timelines: await timelinesOf(runtime, verdicts, fallbackZone) };
}

/**
 * The time zone each customer named in a message expectation holds at the end
 * of the run, as the journey reads it: the profile's own when valid — whether
 * it came from `timezone`, `traits.timezone` or a later identify — never a
 * name the profile left out.
 */
async function profileZones(
  profiles: ProfilesRepository,
  expectations: readonly Expectation[],
): Promise<Map<string, string>> {
  const users = new Set(
    expectations.flatMap((e) =>
      'message' in e ? [e.message.user] : 'noMessage' in e ? [e.noMessage.user] : [],
    ),
  );
  const zones = new Map<string, string>();
  for (const user of users) {
    const zone = (await profiles.get(user)).profile.timezone;
    if (zone !== undefined && isValidTimeZone(zone)) zones.set(user, zone);
  }
  return zones;
}

/**
 * The timelines of the customers of failed expectations, at their time of day as
 * the expectations read it: the profile's zone, else the journey's default zone
 * (not UTC, which would show a message at another hour than its verdict says).
 */
async function timelinesOf(
  runtime: LocalRuntime,
  verdicts: Verdict[],
  fallbackZone: string,
): Promise<Map<string, CustomerLines>> {
  const users = new Set(verdicts.filter((v) => !v.ok).flatMap((v) => v.users));
  const out = new Map<string, CustomerLines>();
  if (users.size === 0) return out;
  const all = await customerTimelines(
    runtime.options.dataDir,
    runtime.endpoints.ses,
    runtime.options.journeysDir,
  );
  for (const user of users) {
    const timeline = all.get(user);
    const zone = timeline?.zone ?? fallbackZone;
    out.set(user, {
      zone,
      lines: (timeline?.lines ?? []).map((l) => `${formatWhen(l.at, zone)}  ${l.text}`),
    });
  }
  return out;
}

/** Each pinned customer's variants by split step (every member of a cohort alike). */
function variantPins(scenario: Scenario): Map<string, Map<string, string>> {
  const pins = new Map<string, Map<string, string>>();
  for (const customer of scenario.customers) {
    if (customer.variants === undefined) continue;
    const variants = new Map(Object.entries(customer.variants));
    for (const id of memberIds(customer)) pins.set(id, variants);
  }
  return pins;
}

/** The ids a scenario customer stands for: its own, or `<id>-0` … of a cohort. */
function memberIds(customer: Scenario['customers'][number]): string[] {
  return customer.count === undefined
    ? [customer.id]
    : Array.from({ length: customer.count }, (_, i) => `${customer.id}-${i}`);
}

/** An identify that makes a customer reachable on every channel they consent to. */
function identifyOf(id: string, customer: Scenario['customers'][number]): Record<string, unknown> {
  return {
    type: 'identify',
    userId: id,
    traits: {
      email: emailOf(id),
      phone: phoneOf(id),
      ...(customer.timezone === undefined ? {} : { timezone: customer.timezone }),
      consent: customer.consent ?? { email: 'subscribed', sms: 'subscribed', push: 'subscribed' },
      ...customer.traits,
    },
    ...(customer.app === false ? {} : { context: { device: { token: `token-${id}`, type: 'android' } } }),
  };
}

type Engagement = Extract<ScenarioEvent, { opens: string } | { clicks: string }>;

/**
 * A customer opens or clicks the last email of a template sent to them: SES
 * publishes the open or the click on the default bus, and delivery feedback
 * takes it from there. A click is only a click: SES reports an open when the
 * email's images load, which a scenario says with `opens`.
 */
async function engage(runtime: LocalRuntime, users: readonly string[], event: Engagement): Promise<void> {
  const clicks = 'clicks' in event;
  const template = 'clicks' in event ? event.clicks : event.opens;
  await runtime.services.activity.flushed();
  const { messages } = await observe(runtime.options.dataDir, runtime.endpoints.ses);
  const now = runtime.services.clock.now();
  const entries = users.flatMap((user) => {
    const email = messages.findLast(
      (m) => m.userId === user && m.channel === 'email' && m.template === template,
    );
    if (email === undefined)
      throw new Error(
        `${user} has no email of template "${template}" to ${clicks ? 'click' : 'open'} at ${now.toISOString()}`,
      );
    const sent = {
      messageId: email.messageId,
      to: [`${user}@example.test`],
      configurationSet: LOCAL_NAMES.configurationSet,
    };
    return [sesEventEntry(clicks ? 'clicked' : 'opened', sent, now)];
  });
  if (entries.length === 0) return;
  const out = await runtime.services.bus.put(entries);
  if (out.FailedEntryCount > 0) throw new Error(`the bus refused an event: ${JSON.stringify(out.Entries)}`);
  await runtime.settled();
}

function detailOf(
  user: string,
  event: Extract<ScenarioEvent, { track: string } | { identify: Record<string, unknown> }>,
  startMs: number,
): Record<string, unknown> {
  if ('track' in event) {
    const happened =
      event.timestamp === undefined
        ? {}
        : { timestamp: new Date(resolveWhen(event.timestamp, startMs)).toISOString() };
    return {
      type: 'track',
      userId: user,
      event: event.track,
      properties: event.properties ?? {},
      ...happened,
    };
  }
  return { type: 'identify', userId: user, traits: event.identify };
}

/**
 * A customer's email address: `<id>@example.test`, or for an id that cannot
 * be an address's local part (`auth0|42`, a name with a space, another
 * script) `customer-<hash of the id>@example.test`, so every customer is
 * reachable by email, as the scenario format promises.
 */
function emailOf(id: string): string {
  const plain = `${id}@example.test`;
  if (reservedTraitProblem('email', plain) === undefined) return plain;
  return `customer-${createHash('sha256').update(id).digest('hex').slice(0, 16)}@example.test`;
}

/** A stable fake phone number per customer id. */
function phoneOf(id: string): string {
  let n = 0;
  for (const c of id) n = (n * 31 + c.charCodeAt(0)) % 1_000_000;
  return `+1555${String(n).padStart(7, '0')}`;
}

/**
 * A runtime log that keeps what went wrong: a refused deploy (`✗`, with its
 * indented violations) and a handler's failure (`!`).
 */
function deployProblems(into: string[]): (line: string) => void {
  let inProblem = false;
  return (line) => {
    inProblem = /^[✗!]/.test(line) || (inProblem && /^\s/.test(line));
    if (inProblem) into.push(line);
  };
}

/** Writes an edited journey file and deploys the folder again: the edit goes live as a new version. */
async function redeploy(
  runtime: LocalRuntime,
  journeysDir: string,
  event: Extract<ScenarioEvent, { deploy: string }>,
): Promise<void> {
  const file = join(journeysDir, `${event.deploy}.json`);
  const journey = await readJourneyFile(file);
  editJourney(journey, event);
  await writeFile(file, JSON.stringify(journey, null, 2));
  await runtime.deployAll();
  await runtime.settled();
}

type Box = {
  dataDir: string;
  journeysDir: string;
  /** Each journey's settings.defaultTimezone (after the scenario's overrides), by journey id. */
  defaultZones: Map<string, string>;
  remove: () => Promise<void>;
};

/** A data directory and a journeys folder with the scenario's journeys (settings overridden) and all templates. */
async function sandbox(journeysDir: string, scenario: Scenario): Promise<Box> {
  const journeys = new Map<string, JourneyJson>();
  for (const id of scenario.journeys) journeys.set(id, await readJourney(journeysDir, id));
  checkConnections(scenario, [...journeys.values()]);
  const dataDir = await mkdtemp(join(tmpdir(), 'journeys-test-data-'));
  const folder = await mkdtemp(join(tmpdir(), 'journeys-test-'));
  await mkdir(join(folder, 'templates'));
  // Only the templates the scenario can use: each one deployed is start-up time.
  const names = new Set<string>(strings(scenario.events));
  for (const [id, journey] of journeys) {
    const overrides = scenario.settings?.[id];
    // Unchanged, the file is deployed as written: the line and column of a problem are the user's file's.
    if (overrides === undefined) await cp(await journeyFile(journeysDir, id), join(folder, `${id}.json`));
    else {
      journey.settings = { ...(JourneyJson.safeParse(journey.settings).data ?? {}), ...overrides };
      await writeFile(join(folder, `${id}.json`), JSON.stringify(journey, null, 2));
    }
    for (const name of strings(journey)) names.add(name);
  }
  for (const file of await readdir(join(journeysDir, 'templates'))) {
    if (names.has(file.replace(/\.json$/, '')))
      await cp(join(journeysDir, 'templates', file), join(folder, 'templates', file));
  }
  const defaultZones = new Map<string, string>();
  for (const [id, journey] of journeys) {
    const zone = JourneyJson.safeParse(journey.settings).data?.defaultTimezone;
    defaultZones.set(id, typeof zone === 'string' ? zone : 'UTC');
  }
  return {
    dataDir,
    journeysDir: folder,
    defaultZones,
    remove: async () => {
      await rm(dataDir, { recursive: true, force: true });
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/**
 * Refuses scripted replies and webhook expectations for a connection no
 * journey of the scenario calls: a misspelt name would pass `times: 0`.
 */
function checkConnections(scenario: Scenario, journeys: readonly JourneyJson[]): void {
  const called = [...webhookBases(journeys).keys()];
  const named = [
    ...Object.keys(scenario.webhooks ?? {}).map((name) => ({ name, where: `webhooks.${name}` })),
    ...scenario.expect.flatMap((e, i) =>
      'webhook' in e ? [{ name: e.webhook.connection, where: `expect[${i}].webhook.connection` }] : [],
    ),
  ];
  const unknown = named.filter(({ name }) => !called.includes(name));
  if (unknown.length === 0) return;
  const calls = called.length === 0 ? 'they call none' : `they call ${called.join(', ')}`;
  throw new Error(
    `${unknown.map((u) => u.where).join(', ')}: no journey of the scenario calls such a connection (${calls})`,
  );
}

/** Every string in a JSON value: the candidate template names. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}
