import { describe, expect, it } from 'vitest';
import { Profile } from '#shared/profile/profile.ts';
import { previewTemplate, profileVariables } from '#shared/template-preview.ts';

const sms = {
  channel: 'sms' as const,
  body: '{{ profile.firstName | default: "Hi" }}: {{ trigger.properties.total }} {{ trigger.properties.currency | default: "EUR" }} at {{ profile.city }}, cart {{ trigger.properties.cartId }}',
};

describe('template preview', () => {
  it('renders with the profile traits at the top level, as sends do', async () => {
    // arrange
    const profile = Profile.parse({ userId: 'u1', traits: { firstName: 'Ana', city: 'Rome' } });
    // act
    const preview = await previewTemplate(sms, {
      profile: profileVariables(profile),
      trigger: { properties: { total: 54, cartId: 'c-9' } },
      journey: { id: 'j' },
    });
    // assert
    expect(preview).toEqual({ ok: true, rendered: { body: 'Ana: 54 EUR at Rome, cart c-9' } });
  });

  it("keeps the profile's own fields over traits of the same name", async () => {
    // arrange
    const profile = Profile.parse({
      userId: 'u1',
      email: 'ana@example.com',
      traits: { userId: 'someone-else', consent: 'yes', email: 'typed@example.com', city: 'Rome' },
    });
    const template = {
      channel: 'sms' as const,
      body: '{{ profile.userId }} {{ profile.email }} {{ profile.city }}',
    };
    // act
    const preview = await previewTemplate(template, {
      profile: profileVariables(profile),
      journey: { id: 'j' },
    });
    // assert
    expect(preview).toEqual({ ok: true, rendered: { body: 'u1 ana@example.com Rome' } });
    expect(profileVariables(profile).consent).toEqual({});
  });

  it('reads a trait at the top level when the profile field of that name is unset', async () => {
    const profile = Profile.parse({ userId: 'u1', traits: { email: 'typed@example.com' } });
    const preview = await previewTemplate(
      { channel: 'sms', body: '{{ profile.email }}' },
      { profile: profileVariables(profile), journey: { id: 'j' } },
    );
    expect(preview).toEqual({ ok: true, rendered: { body: 'typed@example.com' } });
  });

  it('lists every missing variable, in order, and not the ones with a default', async () => {
    // act
    const preview = await previewTemplate(sms, {
      profile: profileVariables(Profile.parse({ userId: 'u2' })),
      journey: { id: 'j' },
    });
    // assert
    expect(preview).toEqual({
      ok: false,
      missing: ['trigger.properties.total', 'profile.city', 'trigger.properties.cartId'],
    });
  });

  it('lists a missing date formatted with `date` as missing, not as a date it cannot read', async () => {
    // arrange
    const renewal = { channel: 'sms' as const, body: 'Renews {{ profile.renewalDate | date: "%b %-d" }}' };
    // act
    const preview = await previewTemplate(renewal, {
      profile: profileVariables(Profile.parse({ userId: 'u2' })),
      journey: { id: 'j' },
    });
    // assert
    expect(preview).toEqual({ ok: false, missing: ['profile.renewalDate'] });
  });

  it('lists missing variables under keys named like prototype members', async () => {
    const template = {
      channel: 'sms' as const,
      body: '{{ trigger.properties.constructor.name }} {{ trigger.properties.toString }} {{ profile.prototype }}',
    };

    const preview = await previewTemplate(template, {
      profile: {},
      trigger: { properties: {} },
      journey: { id: 'j' },
    });

    expect(preview).toEqual({
      ok: false,
      missing: ['trigger.properties.constructor.name', 'trigger.properties.toString', 'profile.prototype'],
    });
  });

  it('reports a syntax error instead of looping', async () => {
    const preview = await previewTemplate(
      { channel: 'sms', body: '{{ profile.x ' },
      { profile: {}, journey: { id: 'j' } },
    );
    expect(preview.ok).toBe(false);
    expect(preview.ok ? '' : preview.error).toMatch(/not closed|output/i);
  });
});
