// First: the handlers the scenarios run build their logger and metrics as they load, quiet as in the runtime.
import '#infra/local/runtime/quiet-handlers.ts';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '#infra/local/scenarios/load.ts';
import { junitReport, textReport } from '#infra/local/scenarios/report.ts';
import { runScenarios, type ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';
import type { Scenario } from '#infra/local/scenarios/scenario.ts';
import { E2E_TIMEOUT } from './support/local-runtime.ts';

/**
 * `journeys test` with webhooks: the loyalty-crm scenarios pass as written,
 * and each fails once only the CRM's scripted reply changes — so they test
 * the journey's handling of the reply, not themselves.
 */

const JOURNEYS = join(import.meta.dirname, '..', '..', 'journeys');
const CREDENTIAL = 'crm-credential-never-printed';

type Named = { file: string; scenario: Scenario };

/** The same scenario with other replies from the CRM. */
function changed(original: Named, webhooks: Scenario['webhooks']): Named {
  return {
    file: `${original.file} (reply changed)`,
    scenario: { ...structuredClone(original.scenario), webhooks },
  };
}

const failedTitles = (result: ScenarioResult | undefined) =>
  (result?.verdicts ?? []).filter((v) => !v.ok).map((v) => v.title);

let results: ScenarioResult[];
let byName: (name: string, file?: string) => ScenarioResult | undefined;

beforeAll(async () => {
  // arrange
  const files = (await readdir(join(JOURNEYS, 'tests')))
    .filter((f) => f.startsWith('loyalty-crm-') && f.endsWith('.test.json'))
    .map((f) => join(JOURNEYS, 'tests', f));
  const { scenarios, problems } = await loadScenarios(files, JOURNEYS);
  expect(problems).toStrictEqual([]);
  const find = (prefix: string) => {
    const found = scenarios.find((s) => s.scenario.name.startsWith(prefix));
    if (found === undefined) throw new Error(`no scenario "${prefix}…"`);
    return found;
  };
  const silver = { customer: { tier: 'silver' } };
  const gold = { customer: { tier: 'gold' }, reward: { coupon: 'GOLD-7Q2' } };
  const variants = [
    changed(find('A gold member'), { crm: { replies: [], default: { status: 200, body: silver } } }),
    changed(find('The CRM keeps failing'), { crm: { replies: [], default: { status: 200, body: gold } } }),
    changed(find('The CRM never answers'), { crm: { replies: [], default: { status: 200, body: gold } } }),
    changed(find('The CRM answers gold, but only after'), {
      crm: { replies: [], default: { status: 200, body: gold, delay: '9s' } },
    }),
    changed(find('A silver member'), undefined),
    {
      file: 'misspelt connection',
      scenario: {
        ...find('A silver member').scenario,
        webhooks: { crn: { replies: [], default: { status: 200 } } },
        expect: [{ webhook: { connection: 'crn', times: 0 } }],
      },
    },
  ];
  // act
  results = await runScenarios([...scenarios, ...variants], JOURNEYS, { webhookCredential: CREDENTIAL });
  byName = (prefix, file) =>
    results.find((r) => r.name.startsWith(prefix) && (file === undefined || r.file === file));
}, E2E_TIMEOUT * 2);

describe('journeys test with scripted webhook replies', () => {
  it('passes every loyalty-crm scenario as written', () => {
    const originals = results.filter((r) => r.file.endsWith('.test.json'));
    expect(originals.length).toBeGreaterThanOrEqual(8);
    for (const result of originals) {
      expect(result.error).toBeUndefined();
      expect(failedTitles(result), result.name).toStrictEqual([]);
    }
  });

  it('fails the gold scenario when the CRM answers silver: no coupon email', () => {
    const result = byName('A gold member', 'tests/loyalty-crm-success.test.json (reply changed)');
    expect(failedTitles(result)).toStrictEqual([
      'gina gets email loyalty-reward at 2026-03-02T10:00:05.000Z, containing "use the code GOLD-7Q2"',
      'gina goes through tell-crm, by-tier, gold-email',
    ]);
  });

  it('fails the retries scenario when the CRM answers at once', () => {
    const result = byName(
      'The CRM keeps failing',
      'tests/loyalty-crm-server-error.test.json (reply changed)',
    );
    expect(failedTitles(result)).toStrictEqual([
      'webhook crm with {"orderId":"o-3"} is called 4 times',
      'dora gets no message',
      'dora goes through tell-crm, done and never by-tier, gold-email',
    ]);
    const calls = result?.verdicts.find((v) => !v.ok)?.actual ?? '';
    expect(calls).toContain('POST /v1/orders {"orderId":"o-3","total":80,"kind":"order"} → 200');
  });

  it('fails the timeout scenarios when the CRM answers in time', () => {
    const never = byName('The CRM never answers', 'tests/loyalty-crm-timeout.test.json (reply changed)');
    expect(failedTitles(never)).toContain('tom gets no message');
    const late = byName(
      'The CRM answers gold, but only after',
      'tests/loyalty-crm-timeout.test.json (reply changed)',
    );
    expect(failedTitles(late)).toStrictEqual(['lou gets no message', 'lou goes never by-tier']);
    expect(late?.verdicts.find((v) => !v.ok)?.actual).toContain('at 2026-03-02T10:00:09.000Z');
  });

  it('fails a scenario whose journey calls a connection it scripts no reply for', () => {
    const result = byName('A silver member', 'tests/loyalty-crm-success.test.json (reply changed)');
    const refused = result?.verdicts.find((v) => v.title === 'every webhook call gets a scripted reply');
    expect(refused?.ok).toBe(false);
    expect(refused?.actual).toContain('→ 501: no scripted reply in webhooks.crm');
  });

  it('refuses to run a scenario that scripts or expects a connection its journeys never call', () => {
    const result = byName('A silver member', 'misspelt connection');
    expect(result?.error).toBe(
      'webhooks.crn, expect[0].webhook.connection: no journey of the scenario calls such a connection (they call crm)',
    );
  });

  it("never prints the connection's credential, in the text report or the JUnit file", () => {
    const text = textReport(results, (_style, t) => t);
    expect(text).toContain('timeline of gina');
    expect(text).not.toContain(CREDENTIAL);
    expect(junitReport(results)).not.toContain(CREDENTIAL);
  });
});
