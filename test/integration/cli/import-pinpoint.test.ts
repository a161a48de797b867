import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/** An import that leaves a placeholder template in use exits 2: validate and the deploy refuse to send it. */
const PLACEHOLDERS_LEFT = 2;

describe('journeys import-pinpoint', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'import-pinpoint-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a journey that validates, placeholder templates, and a report of notes', async () => {
    // arrange
    const out = join(dir, 'cart-abandonment-eu.json');
    const templates = join(dir, 'templates');
    // act
    const result = await runCli([
      'import-pinpoint',
      'test/fixtures/pinpoint/cart-abandonment.json',
      '--out',
      out,
      '--templates-dir',
      templates,
    ]);
    // assert
    expect(result.code).toBe(PLACEHOLDERS_LEFT);
    expect(result.stdout).toContain('does not validate yet');
    const journey = JSON.parse(await readFile(out, 'utf8'));
    expect(journey.$schema).toBe('./journey.schema.json');
    expect(journey.id).toBe('cart-abandonment-eu');
    expect((await readdir(templates)).sort()).toEqual([
      'CartDiscount.json',
      'CartReminder.json',
      'OrderThanks.json',
      'VipOffer.json',
    ]);
    expect(result.stdout).toContain('Limits.MessagesPerSecond');
    // Until their content is written, validate (and so a deploy) refuses to send the placeholders.
    const placeholders = await runCli(['validate', '--templates', templates, out]);
    expect(placeholders.code).toBe(1);
    expect(placeholders.stdout).toContain(
      'Template "CartReminder" is still the placeholder journeys import-pinpoint wrote',
    );
    for (const name of await readdir(templates)) {
      const { channel } = JSON.parse(await readFile(join(templates, name), 'utf8'));
      await writeFile(join(templates, name), JSON.stringify(writtenTemplate(channel)));
    }
    const validated = await runCli(['validate', '--templates', templates, out]);
    expect(validated.stdout).toContain('0 with problems');
  });

  it('names the Pinpoint activity of each step a validation problem is about', async () => {
    // arrange: the activity id "Привет" becomes the step "Privet"; the template folder has an SMS template of the email's name
    const templates = join(dir, 'templates');
    await mkdir(templates);
    await writeFile(join(templates, 'Hello.json'), JSON.stringify({ channel: 'sms', body: 'hi' }));
    const input = join(dir, 'hello-export.json');
    await writeFile(
      input,
      JSON.stringify({
        Name: 'Hello',
        StartCondition: { SegmentStartCondition: { SegmentId: 's' } },
        StartActivity: 'Привет',
        Activities: { Привет: { EMAIL: { TemplateName: 'Hello' } } },
      }),
    );
    // act
    const result = await runCli([
      'import-pinpoint',
      input,
      '--out',
      join(dir, 'hello.json'),
      '--templates-dir',
      templates,
    ]);
    // assert: the file is written, nothing lost, and a script sees it needs work before it deploys (exit 2)
    expect(result.code).toBe(2);
    expect(JSON.parse(await readFile(join(dir, 'hello.json'), 'utf8')).id).toBe('hello');
    expect(result.stdout).toContain('does not validate yet');
    expect(result.stdout).toMatch(
      /steps\.Privet\.template \(Pinpoint activity "Привет"\) +Template "Hello" is an SMS template/,
    );
  });

  it('exits 2 for a folder whose journeys are all written but one does not validate, 1 when one is not imported', async () => {
    // arrange: waits adding up to more than the 365 days an execution may run
    const exports = join(dir, 'exports');
    await mkdir(exports);
    const start = { SegmentStartCondition: { SegmentId: 's' } };
    const wait = (days: number, next?: string) => ({
      Wait: { WaitTime: { WaitFor: `P${days}D` }, ...(next ? { NextActivity: next } : {}) },
    });
    await writeFile(
      join(exports, 'long.json'),
      JSON.stringify({
        Name: 'Long',
        StartCondition: start,
        StartActivity: 'a',
        Activities: { a: wait(200, 'b'), b: wait(200) },
      }),
    );
    await writeFile(
      join(exports, 'short.json'),
      JSON.stringify({
        Name: 'Short',
        StartCondition: start,
        StartActivity: 'a',
        Activities: { a: wait(2) },
      }),
    );
    // act
    const written = await runCli(['import-pinpoint', exports, '--out', join(dir, 'journeys')]);
    await writeFile(join(exports, 'broken.json'), JSON.stringify({ Name: 'Broken', Activities: 3 }));
    const oneFailed = await runCli(['import-pinpoint', exports, '--out', join(dir, 'again'), '--force']);
    // assert
    expect(written.code).toBe(2);
    expect((await readdir(join(dir, 'journeys'))).sort()).toEqual(['long.json', 'short.json']);
    expect(written.stdout).toContain('2 imported (1 not validating yet), 0 not');
    expect(oneFailed.code).toBe(1);
  });

  it('never overwrites an existing template', async () => {
    const templates = join(dir, 'templates');
    await runCli([
      'import-pinpoint',
      'test/fixtures/pinpoint/winback-segment.json',
      '--out',
      join(dir, 'a.json'),
      '--templates-dir',
      templates,
    ]);
    const mine = `${JSON.stringify({ channel: 'sms', body: 'Come back, {{ profile.traits.firstName | default: "friend" }}!' })}\n`;
    await writeFile(join(templates, 'WinBack-sms.json'), mine);
    const again = await runCli([
      'import-pinpoint',
      'test/fixtures/pinpoint/winback-segment.json',
      '--out',
      join(dir, 'winback.json'),
      '--templates-dir',
      templates,
      '--id',
      'winback',
    ]);
    expect(again.code).toBe(PLACEHOLDERS_LEFT);
    expect(again.stdout).toContain('kept existing template');
    expect(await readFile(join(templates, 'WinBack-sms.json'), 'utf8')).toBe(mine);
    expect(JSON.parse(await readFile(join(dir, 'winback.json'), 'utf8')).id).toBe('winback');
  });

  it('prints the journey on stdout and the notes on stderr without --out', async () => {
    const result = await runCli(['import-pinpoint', 'test/fixtures/pinpoint/winback-segment.json']);
    expect(result.code).toBe(PLACEHOLDERS_LEFT);
    expect(JSON.parse(result.stdout).trigger.type).toBe('segment');
    expect(result.stderr).toContain('StartCondition.SegmentStartCondition.SegmentId');
  });

  it.each([
    ['test/fixtures/pinpoint/not-a-journey.json', 'JourneyResponse.StartActivity'],
    ['journeys/cart-abandonment.json', 'already a Journeys journey file'],
    ['test/fixtures/pinpoint/missing.json', 'file not found'],
  ])('exits 1 on %s, naming the problem and where', async (file, expected) => {
    const result = await runCli(['import-pinpoint', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not an Amazon Pinpoint journey');
    expect(result.stderr).toContain(expected);
  });

  it('takes the journey id from the --out file name, as the deploy requires (journeys/<id>.json)', async () => {
    // arrange
    const out = join(dir, 'journeys', 'cart.json');
    // act
    const result = await runCli([
      'import-pinpoint',
      'test/fixtures/pinpoint/cart-abandonment.json',
      '--out',
      out,
    ]);
    // assert
    expect(result.code).toBe(PLACEHOLDERS_LEFT);
    expect(JSON.parse(await readFile(out, 'utf8')).id).toBe('cart');
  });

  it('refuses an --id that is not the --out file name, and a file name that is not a journey id', async () => {
    const fixture = 'test/fixtures/pinpoint/cart-abandonment.json';
    const disagree = await runCli(['import-pinpoint', fixture, '--out', join(dir, 'a.json'), '--id', 'b']);
    const notAnId = await runCli(['import-pinpoint', fixture, '--out', join(dir, 'Cart Journey.json')]);
    expect(disagree.code).toBe(1);
    expect(disagree.stderr).toContain('journeys/<id>.json');
    expect(notAnId.code).toBe(1);
    expect(notAnId.stderr).toContain('"Cart Journey" is not a journey id');
    expect(await readdir(dir)).toEqual([]);
  });

  it('never replaces an existing journey file without --force, and says so when it does', async () => {
    // arrange
    const out = join(dir, 'cart.json');
    const mine = '{ "edited": "by hand" }\n';
    await writeFile(out, mine);
    const fixture = 'test/fixtures/pinpoint/cart-abandonment.json';
    // act
    const refused = await runCli(['import-pinpoint', fixture, '--out', out]);
    const kept = await readFile(out, 'utf8');
    const forced = await runCli(['import-pinpoint', fixture, '--out', out, '--force']);
    // assert
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('exists and was not replaced');
    expect(kept).toBe(mine);
    expect(forced.code).toBe(PLACEHOLDERS_LEFT);
    expect(forced.stdout).toContain(`replaced ${out}`);
    expect(JSON.parse(await readFile(out, 'utf8')).id).toBe('cart');
  });

  it('imports a folder of journeys into <id>.json files, with progress, numbering a taken id, going on past a bad file', async () => {
    // arrange
    const input = join(dir, 'export');
    const out = join(dir, 'journeys');
    const cart = await readFile('test/fixtures/pinpoint/cart-abandonment.json', 'utf8');
    await mkdir(input);
    await writeFile(join(input, '1-cart.json'), cart);
    await writeFile(join(input, '2-cart-copy.json'), cart);
    await writeFile(join(input, '3-broken.json'), '{ "Name": ');
    await writeFile(join(input, 'notes.txt'), 'not json');
    // act
    const result = await runCli(['import-pinpoint', input, '--out', out]);
    // assert
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('[1/3]');
    expect(result.stdout).toContain('[3/3]');
    expect(result.stdout).toContain('3 journeys: 2 imported (2 not validating yet), 1 not');
    expect(result.stderr).toContain('3-broken.json');
    expect((await readdir(out)).sort()).toEqual(['cart-abandonment-eu-2.json', 'cart-abandonment-eu.json']);
    expect(JSON.parse(await readFile(join(out, 'cart-abandonment-eu-2.json'), 'utf8')).id).toBe(
      'cart-abandonment-eu-2',
    );
  });

  it('imports every journey of aws pinpoint list-journeys output, and says when the list is one page of more', async () => {
    // arrange
    const cart = JSON.parse(await readFile('test/fixtures/pinpoint/cart-abandonment.json', 'utf8'));
    const winback = JSON.parse(await readFile('test/fixtures/pinpoint/winback-segment.json', 'utf8'));
    const list = join(dir, 'list.json');
    const items = [cart.JourneyResponse, winback.JourneyResponse ?? winback];
    await writeFile(list, JSON.stringify({ JourneysResponse: { Item: items, NextToken: 'abc' } }));
    // act
    const result = await runCli(['import-pinpoint', list, '--out', join(dir, 'journeys')]);
    const withoutOut = await runCli(['import-pinpoint', list]);
    // assert
    expect(result.code).toBe(PLACEHOLDERS_LEFT);
    expect(result.stdout).toContain('2 journeys: 2 imported (2 not validating yet), 0 not');
    expect(result.stdout).toContain('--next-token');
    expect((await readdir(join(dir, 'journeys'))).length).toBe(2);
    expect(withoutOut.code).toBe(1);
    expect(withoutOut.stderr).toContain('--out <folder>');
    const intoFile = await runCli(['import-pinpoint', list, '--out', list]);
    expect(intoFile.code).toBe(1);
    expect(intoFile.stderr).toContain('is a file');
  });

  it('uses the segments exported beside the journeys (or given with --segments) for their filters', async () => {
    // arrange
    const input = join(dir, 'export');
    await mkdir(input);
    const winback = await readFile('test/fixtures/pinpoint/winback-segment.json', 'utf8');
    const segmentId = JSON.parse(winback).StartCondition.SegmentStartCondition.SegmentId;
    const segment = {
      Id: segmentId,
      Name: 'Lapsed subscribers',
      SegmentType: 'DIMENSIONAL',
      Dimensions: { UserAttributes: { status: { AttributeType: 'INCLUSIVE', Values: ['lapsed'] } } },
    };
    await writeFile(join(input, 'winback.json'), winback);
    await writeFile(join(input, 'segments.json'), JSON.stringify({ SegmentsResponse: { Item: [segment] } }));
    // act
    const folder = await runCli(['import-pinpoint', input, '--out', join(dir, 'journeys')]);
    const flag = await runCli([
      'import-pinpoint',
      join(input, 'winback.json'),
      '--segments',
      join(input, 'segments.json'),
    ]);
    // assert
    expect(folder.code).toBe(PLACEHOLDERS_LEFT);
    expect(folder.stdout).toContain('1 journey: 1 imported (1 not validating yet), 0 not');
    const [file] = await readdir(join(dir, 'journeys'));
    const journey = JSON.parse(await readFile(join(dir, 'journeys', file ?? ''), 'utf8'));
    // The value, or a list of values holding it (Pinpoint attributes are lists).
    const lapsed = {
      any: [
        { path: 'profile.traits.status', eq: 'lapsed' },
        {
          all: [
            { not: { path: 'profile.traits.status', startsWith: '' } },
            { path: 'profile.traits.status', contains: 'lapsed' },
          ],
        },
      ],
    };
    expect(journey.trigger.segment).toStrictEqual(lapsed);
    expect(flag.code).toBe(PLACEHOLDERS_LEFT);
    expect(JSON.parse(flag.stdout).trigger.segment).toStrictEqual(lapsed);
  });

  it('names the templates of a folder of journeys together: one Pinpoint name on two channels in two journeys is two files', async () => {
    // arrange: "Welcome" is an email template in one journey and an SMS template in the other
    const input = join(dir, 'export');
    await mkdir(input);
    const journey = (name: string, channel: 'EMAIL' | 'SMS') => ({
      Name: name,
      StartCondition: { SegmentStartCondition: { SegmentId: 's' } },
      StartActivity: 'hi',
      Activities: { hi: { [channel]: { TemplateName: 'Welcome' } } },
    });
    await writeFile(join(input, 'a.json'), JSON.stringify(journey('By email', 'EMAIL')));
    await writeFile(join(input, 'b.json'), JSON.stringify(journey('By text', 'SMS')));
    const templates = join(dir, 'templates');
    // act
    const result = await runCli([
      'import-pinpoint',
      input,
      '--out',
      join(dir, 'journeys'),
      '--templates-dir',
      templates,
    ]);
    // assert
    expect(result.code).toBe(PLACEHOLDERS_LEFT);
    expect((await readdir(templates)).sort()).toEqual(['Welcome-email.json', 'Welcome-sms.json']);
  });
  it('reads template exports beside the journeys: their content becomes the templates, an unedited placeholder gives way', async () => {
    // arrange: a journey, its email template exported beside it, and a placeholder from an earlier import
    const input = join(dir, 'export');
    await mkdir(input);
    await writeFile(
      join(input, 'journey.json'),
      JSON.stringify({
        Name: 'Welcome',
        StartCondition: { SegmentStartCondition: { SegmentId: 's' } },
        StartActivity: 'hi',
        Activities: {
          hi: { EMAIL: { TemplateName: 'Welcome', NextActivity: 'sms' } },
          sms: { SMS: { TemplateName: 'Code' } },
        },
      }),
    );
    await writeFile(
      join(input, 'Welcome-email-template.json'),
      JSON.stringify({
        EmailTemplateResponse: {
          TemplateName: 'Welcome',
          TemplateType: 'EMAIL',
          Subject: 'Hi {{User.UserAttributes.FirstName}}',
          HtmlPart: '<p>Hi {{User.UserAttributes.FirstName}}</p>',
          TextPart: 'Hi {{User.UserAttributes.FirstName}}',
          DefaultSubstitutions: '{"User.UserAttributes.FirstName":"there"}',
        },
      }),
    );
    const templates = join(dir, 'templates');
    const out = join(dir, 'journeys');
    await runCli([
      'import-pinpoint',
      join(input, 'journey.json'),
      '--out',
      join(out, 'welcome.json'),
      '--templates-dir',
      templates,
    ]);
    // act
    const result = await runCli([
      'import-pinpoint',
      input,
      '--out',
      out,
      '--force',
      '--templates-dir',
      templates,
    ]);
    // assert
    expect(result.code).toBe(PLACEHOLDERS_LEFT);
    expect(result.stdout).toContain(`replaced the placeholder ${join(templates, 'Welcome.json')}`);
    expect(JSON.parse(await readFile(join(templates, 'Welcome.json'), 'utf8'))).toEqual({
      channel: 'email',
      subject: 'Hi {{ profile.traits.FirstName | default: "there" }}',
      html: '<p>Hi {{ profile.traits.FirstName | default: "there" }}</p>',
      text: 'Hi {{ profile.traits.FirstName | default: "there" }}',
    });
    expect(result.stdout).toContain('The sms template "Code" is not among the exported templates');
    expect((await readdir(out)).sort()).toEqual(['welcome.json']);
    const validated = await runCli(['validate', '--templates', templates, join(out, 'welcome.json')]);
    expect(validated.stdout).toContain(
      'Template "Code" is still the placeholder journeys import-pinpoint wrote',
    );
    expect(validated.stdout).not.toContain('Template "Welcome"');
  });
  it('passes over voice and in-app templates and list-templates output in a folder of exports, saying why', async () => {
    // arrange
    const input = join(dir, 'export');
    await mkdir(input);
    await writeFile(
      join(input, 'journey.json'),
      JSON.stringify({
        Name: 'Welcome',
        StartCondition: { SegmentStartCondition: { SegmentId: 's' } },
        StartActivity: 'hi',
        Activities: { hi: { SMS: { TemplateName: 'Code' } } },
      }),
    );
    await writeFile(
      join(input, 'call.json'),
      JSON.stringify({ VoiceTemplateResponse: { TemplateName: 'Call', TemplateType: 'VOICE', Body: 'Hi' } }),
    );
    await writeFile(
      join(input, 'templates.json'),
      JSON.stringify({ TemplatesResponse: { Item: [{ TemplateName: 'Code', TemplateType: 'SMS' }] } }),
    );
    // act
    const result = await runCli(['import-pinpoint', input, '--out', join(dir, 'journeys')]);
    // assert
    expect(result.code).toBe(PLACEHOLDERS_LEFT);
    expect(result.stderr).toContain('the voice template Call: a journey here sends no voice messages');
    expect(result.stderr).toContain('list-templates output names templates without their content');
    expect(result.stdout).toContain('1 journey: 1 imported (1 not validating yet), 0 not');
  });
});

/** A template of the channel with content of its own, as a marketer writes one in place of a placeholder. */
function writtenTemplate(channel: string): object {
  if (channel === 'email')
    return { channel, subject: 'Your cart', html: '<p>Your cart</p>', text: 'Your cart' };
  if (channel === 'sms') return { channel, body: 'Your cart is waiting' };
  return { channel, title: 'Your cart', body: 'Your cart is waiting' };
}
