import { describe, expect, it } from 'vitest';
import { convertHandlebars } from '#infra/cli/import-pinpoint/handlebars.ts';
import { importPinpointJourney } from '#infra/cli/import-pinpoint/import.ts';
import {
  addTemplateExport,
  type PinpointTemplateExport,
  templateExportIn,
} from '#infra/cli/import-pinpoint/template-exports.ts';
import type { Channel } from '#shared/channels.ts';
import { checkTemplateSyntax, renderTemplate, type Template } from '#shared/templates.ts';

const defaults = new Map([['User.UserAttributes.FirstName', 'there']]);

/** Converts one Handlebars field and renders it as an email's HTML for a customer with these traits. */
async function rendered(source: string, traits: Record<string, unknown>): Promise<string> {
  const converted = convertHandlebars(source, { channel: 'email', defaults, html: true });
  if (!converted.ok) throw new Error(JSON.stringify(converted.unconverted));
  const template: Template = { channel: 'email', subject: 's', html: converted.liquid, text: 't' };
  expect(checkTemplateSyntax(template)).toEqual([]);
  const profile = { userId: 'u-1', email: 'ana@example.com', traits, ...traits };
  const out = await renderTemplate(template, { profile, journey: { id: 'j' } });
  return out.html;
}

describe('Pinpoint templates (Handlebars) as Liquid', () => {
  it.each([
    // [Handlebars, traits, what Pinpoint sent]
    ['Hi {{User.UserAttributes.FirstName}}!', { FirstName: 'Ana' }, 'Hi Ana!'],
    ['Hi {{User.UserAttributes.FirstName}}!', {}, 'Hi there!'],
    ['City: {{Attributes.City}}.', {}, 'City: .'],
    [
      '{{#if User.UserAttributes.FirstName.[0]}}Hello {{User.UserAttributes.FirstName.[0]}}{{else}}Hello{{/if}}',
      { FirstName: 'Ana' },
      'Hello Ana',
    ],
    ['{{#if Attributes.Vip}}VIP{{else}}join{{/if}}', { Vip: '' }, 'join'],
    ['{{#if Attributes.Vip}}VIP{{else if Attributes.Gold}}gold{{else}}join{{/if}}', { Gold: 'y' }, 'gold'],
    ['{{#unless Attributes.Vip}}join{{/unless}}', {}, 'join'],
    [
      '{{#each Attributes.Colors}}<li>{{@index}} {{this}}</li>{{else}}none{{/each}}',
      { Colors: ['red', 'blue'] },
      '<li>0 red</li><li>1 blue</li>',
    ],
    ['{{#each Attributes.Colors}}<li>{{this}}</li>{{else}}none{{/each}}', {}, 'none'],
    ['{{#each Attributes.Colors}}{{this}},{{/each}}', { Colors: [] }, ''],
    [
      '{{{Attributes.Banner}}}|{{Attributes.Banner}}',
      { Banner: '<b>x</b>' },
      '<b>x</b>|&lt;b&gt;x&lt;/b&gt;',
    ],
    ['a {{!-- a comment --}}b{{! another }}', {}, 'a b'],
    ['a {{~Attributes.X~}} b', { X: 'x' }, 'axb'],
    ['\\{{not a tag}} {% raw %}', {}, '{{not a tag}} {% raw %}'],
    ['<style>.x{width:100%}</style>{{Attributes.X}}', { X: 'x' }, '<style>.x{width:100%}</style>x'],
    ['{{#eq Attributes.Plan "gold"}}G{{else}}N{{/eq}}', { Plan: 'gold' }, 'G'],
    ["{{#neq Attributes.Plan 'gold'}}N{{else}}G{{/neq}}", {}, 'N'],
    ['{{#if (eq Attributes.Plan "silver")}}S{{else}}O{{/if}}', { Plan: 'gold' }, 'O'],
    ['{{#unless (neq Attributes.Plan "gold")}}G{{/unless}}', { Plan: 'gold' }, 'G'],
    ['{{upper User.UserAttributes.FirstName}} {{lower Attributes.City}}', { City: 'LYON' }, 'THERE lyon'],
    [
      '{{stripTags Attributes.Note}}|{{join Attributes.Tags ", "}}',
      { Note: '<b>hi</b>', Tags: ['a', 'b'] },
      'hi|a, b',
    ],
    ['{{defaultIfEmpty Attributes.Missing "none"}}', {}, 'none'],
    [
      '{{#if Attributes.[Favorite Color]}}{{Attributes.[Favorite Color]}}{{/if}}',
      { 'Favorite Color': 'teal' },
      'teal',
    ],
    ['{{Attributes.Prénom}} {{Attributes.2fa}}', { Prénom: 'Zoé', '2fa': 'on' }, 'Zoé on'],
    ['{{#each Attributes.L}}{{#if this}}[{{this}}]{{/if}}{{/each}}', { L: ['', 'z'] }, '[z]'],
    [
      '{{User.UserId}} {{Address}} {{Attributes.[utm.source]}}',
      { 'utm.source': 'ads' },
      'u-1 ana@example.com ads',
    ],
  ])('%s with %j sends %j', async (source, traits, expected) => {
    // act / assert
    expect(await rendered(source, traits)).toBe(expected);
  });

  it('shows 15 items of a list at most, as Pinpoint did', async () => {
    const colors = Array.from({ length: 20 }, (_, i) => `c${i}`);
    expect(await rendered('{{#each Attributes.Colors}}{{this}} {{/each}}', { Colors: colors })).toBe(
      `${colors.slice(0, 15).join(' ')} `,
    );
  });

  it('names every part that has no equivalent, with its line and column, and converts nothing', () => {
    // act
    const converted = convertHandlebars('Hi\n{{formatDate "now"}} {{Location.City}} {{> footer}}', {
      channel: 'email',
      defaults,
    });
    // assert
    expect(converted.ok).toBe(false);
    if (converted.ok) return;
    expect(converted.unconverted.map(({ tag, line, column }) => [tag, line, column])).toEqual([
      ['{{formatDate "now"}}', 2, 1],
      ['{{Location.City}}', 2, 22],
      ['{{> footer}}', 2, 40],
    ]);
    expect(converted.unconverted[1]?.why).toContain('endpoint data');
  });

  it('says which variables have no default value, and not the address every message has', () => {
    const converted = convertHandlebars('{{Address}} {{Attributes.Code}} {{User.UserAttributes.FirstName}}', {
      channel: 'sms',
      defaults,
    });
    expect(converted).toEqual({
      ok: true,
      liquid:
        '{{ profile.phone }} {{ profile.traits.Code | default: "" }} {{ profile.traits.FirstName | default: "there" }}',
      blanks: ['Attributes.Code'],
    });
  });
});

const journey = {
  Name: 'Welcome',
  StartCondition: {
    EventStartCondition: { EventFilter: { Dimensions: { EventType: { Values: ['Signed Up'] } } } },
  },
  StartActivity: 'mail',
  Activities: {
    mail: { EMAIL: { TemplateName: 'Welcome', NextActivity: 'push' } },
    push: { PUSH: { TemplateName: 'App', NextActivity: 'text' } },
    text: { SMS: { TemplateName: 'Code' } },
  },
};

function exportsOf(...values: unknown[]) {
  const catalog = new Map<string, Map<Channel, PinpointTemplateExport>>();
  for (const value of values) {
    const found = templateExportIn(value);
    if (found === undefined) throw new Error(`not a template export: ${JSON.stringify(value)}`);
    addTemplateExport(catalog, found);
  }
  return catalog;
}

describe('importPinpointJourney with the exported templates', () => {
  it('carries the content of each exported template over, and says what became of each', () => {
    // arrange
    const exports = exportsOf(
      {
        EmailTemplateResponse: {
          TemplateName: 'Welcome',
          TemplateType: 'EMAIL',
          Subject: 'Welcome, {{User.UserAttributes.FirstName}}',
          HtmlPart:
            '<p>Hi {{User.UserAttributes.FirstName}} &amp; co</p>\r\n<p>5&nbsp;&euro; &#x2013; &amp;lt;</p><style>p{}</style>',
          DefaultSubstitutions: '{"User.UserAttributes.FirstName":"friend"}',
        },
      },
      {
        PushNotificationTemplateResponse: {
          TemplateName: 'App',
          TemplateType: 'PUSH',
          Default: {
            Title: 'Hi',
            Body: 'Open {{Attributes.Offer}}',
            Action: 'URL',
            Url: 'https://x.example/{{User.UserId}}',
          },
          APNS: { Title: 'Hi iPhone', Body: 'b', Sound: 'ping' },
        },
      },
    );
    // act
    const result = importPinpointJourney(journey, { templateExports: exports });
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const byName = new Map(result.templates.map((t) => [t.name, t]));
    expect(byName.get('Welcome')).toEqual({
      name: 'Welcome',
      placeholder: false,
      template: {
        channel: 'email',
        subject: 'Welcome, {{ profile.traits.FirstName | default: "friend" }}',
        html: '<p>Hi {{ profile.traits.FirstName | default: "friend" }} &amp; co</p>\r\n<p>5&nbsp;&euro; &#x2013; &amp;lt;</p><style>p{}</style>',
        text: 'Hi {{ profile.traits.FirstName | default: "friend" }} & co\n\n5 € – &lt;',
      },
    });
    expect(byName.get('App')?.template).toEqual({
      channel: 'push',
      title: 'Hi',
      body: 'Open {{ profile.traits.Offer | default: "" }}',
      url: 'https://x.example/{{ profile.userId }}',
    });
    expect(byName.get('Code')?.placeholder).toBe(true);
    const notes = result.notes.map((n) => `${n.path}: ${n.message}`);
    expect(notes).toContainEqual(
      expect.stringMatching(/^templates\.Welcome\.TextPart: There is no text part/),
    );
    expect(notes).toContainEqual(expect.stringMatching(/^templates\.App\.APNS: One push content/));
    expect(notes).toContainEqual(
      expect.stringMatching(
        /^templates\.App\.DefaultSubstitutions: In the push template, \{\{Attributes\.Offer\}\} has no default/,
      ),
    );
    expect(notes).toContainEqual(
      expect.stringMatching(/^templates\.Code: The sms template "Code" is not among the exported templates/),
    );
  });

  it('keeps the placeholder for a template with a part that has no equivalent, naming the part', () => {
    const exports = exportsOf({
      SMSTemplateResponse: {
        TemplateName: 'Code',
        TemplateType: 'SMS',
        Body: 'Code {{Attributes.Code}}, {{now}}',
        RecommenderId: 'r-1',
      },
    });
    const result = importPinpointJourney(journey, { templateExports: exports });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.templates.find((t) => t.name === 'Code')?.placeholder).toBe(true);
    expect(result.notes).toContainEqual({
      path: 'templates.Code',
      message: expect.stringContaining('Body line 1 column 27: {{now}}: the helper now'),
    });
    expect(result.notes).toContainEqual({
      path: 'templates.Code.RecommenderId',
      message: expect.stringContaining('was not imported'),
    });
  });

  it('makes the HTML of an email exported with a text part only from that text, escaped, its lines kept', async () => {
    // arrange
    const exports = exportsOf({
      EmailTemplateResponse: {
        TemplateName: 'Welcome',
        Subject: 'Hi',
        TextPart: 'Hi {{User.UserAttributes.FirstName}},\nA < B & C',
      },
    });
    // act
    const result = importPinpointJourney(journey, { templateExports: exports });
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const template = result.templates.find((t) => t.name === 'Welcome')?.template;
    if (template?.channel !== 'email') throw new Error('no email template');
    const profile = { userId: 'u-1', traits: { FirstName: 'Ana' } };
    const out = await renderTemplate(template, { profile, journey: { id: 'j' } });
    expect(out.html).toBe('<div style="white-space: pre-wrap">Hi Ana,\nA &lt; B &amp; C</div>');
    expect(out.text).toBe('Hi Ana,\nA < B & C');
  });

  it('recognises get-*-template output, wrapped or bare, and nothing else', () => {
    expect(templateExportIn({ TemplateName: 'A', TemplateType: 'SMS', Body: 'x' })?.channel).toBe('sms');
    expect(templateExportIn({ EmailTemplateResponse: { TemplateName: 'A', Subject: 's' } })?.channel).toBe(
      'email',
    );
    expect(templateExportIn(journey)).toBeUndefined();
  });
});
