import { durationSeconds } from '#shared/time.ts';
import { randomStream } from './random.ts';
import type { Generator, Scenario } from './spec.ts';

/**
 * Synthetic customers and what they do, derived from the scenario, the
 * seed and the customer's number alone: customer 7 of a run is the same
 * customer whatever else happens, and nothing about a customer is kept in
 * memory before it enters.
 */

type TimedEvent = { at: number; event: Record<string, unknown> };
export type Customer = {
  userId: string;
  timezone: string;
  /** The identify that sets the profile, then the trigger, then the behaviour, in time order. */
  events: TimedEvent[];
};

/** A stream of numbers in [0, 1) for one purpose of one customer. */
function random(seed: number, customer: number, purpose: string): () => number {
  return randomStream(`${seed}:${customer}:${purpose}`);
}

function weighted(weights: Record<string, number>, r: number): string {
  const entries = Object.entries(weights);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let x = r * total;
  for (const [value, w] of entries) {
    if (x < w) return value;
    x -= w;
  }
  return entries.at(-1)?.[0] ?? '';
}

function traitValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isGenerator<K extends string>(g: Generator, key: K): g is Generator & Record<K, unknown> {
  return typeof g === 'object' && g !== null && !Array.isArray(g) && Object.keys(g).length === 1 && key in g;
}

function generate(g: Generator, index: number, r: () => number, trigger: Record<string, unknown>): unknown {
  if (isGenerator(g, 'uniform') && Array.isArray(g.uniform)) {
    const [low, high] = g.uniform;
    return typeof low === 'number' && typeof high === 'number'
      ? Math.round((low + r() * (high - low)) * 100) / 100
      : null;
  }
  if (isGenerator(g, 'pick') && Array.isArray(g.pick)) return g.pick[Math.floor(r() * g.pick.length)] ?? null;
  if (isGenerator(g, 'id') && typeof g.id === 'string') return `${g.id}-${index}`;
  if (isGenerator(g, 'from') && typeof g.from === 'string')
    return trigger[g.from.slice('trigger.properties.'.length)] ?? null;
  return g;
}

function properties(spec: Record<string, Generator>, index: number, r: () => number, trigger = {}) {
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, g] of Object.entries(spec)) out[key] = generate(g, index, r, trigger);
  return out;
}

function seconds(duration: string): number {
  return (durationSeconds(duration) ?? 0) * 1000;
}

/** When customer `index` of `count` enters: evenly over the entry period. */
export function entryTime(scenario: Scenario, index: number, count: number): number {
  return Date.parse(scenario.start) + Math.floor((index * seconds(scenario.entry.over)) / Math.max(1, count));
}

/** Customer `index` (0-based) of `count`. */
export function customerOf(scenario: Scenario, index: number, count: number): Customer {
  const { seed, customers, entry } = scenario;
  const r = random(seed, index, 'profile');
  const userId = `sim-${index}`;
  const timezone = weighted(customers.timezones, r());
  const traits: Record<string, unknown> = Object.create(null);
  for (const [trait, weights] of Object.entries(customers.traits))
    traits[trait] = traitValue(weighted(weights, r()));
  const has = customers.channels;
  const consent = customers.consent;
  const email = r() < has.email;
  const phone = r() < has.sms;
  const push = r() < has.push;
  const subscribed = { email: r() < consent.email, sms: r() < consent.sms, push: r() < consent.push };
  const enteredAt = entryTime(scenario, index, count);
  const stamp = (at: number, suffix: string) => ({
    userId,
    timestamp: new Date(at).toISOString(),
    messageId: `sim-${seed}-${index}-${suffix}`,
  });
  const identify = {
    type: 'identify',
    ...stamp(enteredAt, 'identify'),
    traits: {
      ...traits,
      timezone,
      ...(email ? { email: `customer-${index}@example.com` } : {}),
      ...(phone ? { phone: `+39333${String(index % 10_000_000).padStart(7, '0')}` } : {}),
      consent: subscribed,
    },
    ...(push
      ? {
          context: { device: { token: `token-${seed}-${index}`, type: index % 2 === 0 ? 'ios' : 'android' } },
        }
      : {}),
  };
  const triggerProperties = properties(entry.properties, index, random(seed, index, 'entry'));
  const trigger = {
    type: 'track',
    event: entry.event,
    ...stamp(enteredAt, 'entry'),
    properties: triggerProperties,
  };
  const events: TimedEvent[] = [
    { at: enteredAt, event: identify },
    { at: enteredAt, event: trigger },
  ];
  const behaves = random(seed, index, 'behaviour');
  for (const [i, b] of scenario.behaviour.entries()) {
    const happens = behaves() < b.probability;
    const when = behaves();
    if (!happens) continue;
    const after = seconds(b.after);
    const at = enteredAt + after + Math.floor(when * Math.max(0, seconds(b.within) - after));
    const props = properties(b.properties, index, random(seed, index, `behaviour-${i}`), triggerProperties);
    events.push({ at, event: { type: 'track', event: b.event, ...stamp(at, `b${i}`), properties: props } });
  }
  events.sort((a, b) => a.at - b.at);
  return { userId, timezone, events };
}
