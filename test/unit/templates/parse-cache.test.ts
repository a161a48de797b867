import { describe, expect, it } from 'vitest';
import { parsedTemplateCount, renderTemplate } from '#shared/templates.ts';

/**
 * Templates are parsed once and the parsed form reused: what is rendered must
 * still be exactly what the current text, escaping and time zone say.
 */

const context = { profile: { name: '<Ann>' }, trigger: { at: '2026-11-30T07:30:00Z' }, journey: { id: 'j' } };

describe('parsed-template cache', () => {
  it('renders a changed template with its new text', async () => {
    const first = await renderTemplate({ channel: 'sms', body: 'Hi {{ profile.name }}' }, context);
    const changed = await renderTemplate({ channel: 'sms', body: 'Bye {{ profile.name }}' }, context);
    const again = await renderTemplate({ channel: 'sms', body: 'Hi {{ profile.name }}' }, context);

    expect([first.body, changed.body, again.body]).toEqual(['Hi <Ann>', 'Bye <Ann>', 'Hi <Ann>']);
  });

  it('keeps the escaped HTML part apart from the same text in the plain parts', async () => {
    const text = '{{ profile.name }}';
    const out = await renderTemplate({ channel: 'email', subject: text, html: text, text }, context);

    expect(out).toEqual({ subject: '<Ann>', html: '&lt;Ann&gt;', text: '<Ann>' });
  });

  it('formats dates in each customer time zone from the same template', async () => {
    const body = '{{ trigger.at | date: "%H:%M" }}';
    const rome = await renderTemplate({ channel: 'sms', body }, context, 'Europe/Rome');
    const tokyo = await renderTemplate({ channel: 'sms', body }, context, 'Asia/Tokyo');

    expect([rome.body, tokyo.body]).toEqual(['08:30', '16:30']);
  });

  it('holds a bounded number of parsed templates however many distinct ones are rendered', async () => {
    for (let i = 0; i < 600; i++)
      await renderTemplate({ channel: 'sms', body: `Code ${i} for {{ profile.name }}` }, context);

    expect(parsedTemplateCount()).toBeLessThanOrEqual(256);
    const oldest = await renderTemplate({ channel: 'sms', body: 'Code 0 for {{ profile.name }}' }, context);
    expect(oldest.body).toBe('Code 0 for <Ann>');
  });
});
