import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profilesRepository } from '#functions/_lib/repositories.ts';
import { unsubscribeLink } from '#functions/_lib/unsubscribe-links.ts';
import type { LocalRuntime } from '#infra/local/index.ts';
import { LOCAL_TABLES } from '#infra/local/runtime/env.ts';
import { boot, E2E_TIMEOUT, identify, putEvents, type Sandbox, sandbox } from './support/local-runtime.ts';

let box: Sandbox;
let runtime: LocalRuntime;

beforeAll(async () => {
  // No journey: the page and the opt-out need only the customer.
  box = await sandbox([]);
  runtime = await boot(box);
  await putEvents(runtime, [identify('unsub-e2e', 'Europe/Rome')]);
  await runtime.settled();
}, E2E_TIMEOUT);
afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

describe('the local runtime serves unsubscribe links', () => {
  it('shows the preference page and records a one-click opt-out as consent', async () => {
    const base = runtime.env.UNSUBSCRIBE_BASE_URL ?? '';
    const key = runtime.env.UNSUBSCRIBE_SIGNING_KEY ?? '';
    const link = unsubscribeLink(base, key, { u: 'unsub-e2e', c: 'email' });
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('All marketing email messages: on');
    const oneClick = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    const { profile } = await profilesRepository(LOCAL_TABLES.profiles).get('unsub-e2e');
    expect(profile.consent.email?.status).toBe('unsubscribed');
    const forged = await fetch(
      `${base}?t=${Buffer.from('{"u":"unsub-e2e","c":"email"}').toString('base64url')}.x`,
    );
    expect(forged.status).toBe(400);
  });
});
