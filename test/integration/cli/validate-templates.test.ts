import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journeys-validate-'));
  await mkdir(join(dir, 'templates'));
  const journey = {
    id: 'promo',
    name: 'Promo',
    trigger: { type: 'event', event: 'Signed Up' },
    start: 'mail',
    steps: { mail: { type: 'email', template: 'promo', next: 'done' }, done: { type: 'exit' } },
  };
  await writeFile(join(dir, 'promo.json'), JSON.stringify(journey));
  const template = {
    channel: 'email',
    subject: 'Hi {{ profile.firstName',
    html: '{% if x %}open',
    text: 'ok',
  };
  await writeFile(join(dir, 'templates', 'promo.json'), JSON.stringify(template));
  /** A journey `id` whose one email sends an email template of `html`. */
  const sending = async (id: string, templateName: string, html: string) => {
    const mail = { ...journey.steps.mail, template: templateName };
    await writeFile(
      join(dir, `${id}.json`),
      JSON.stringify({ ...journey, id, steps: { ...journey.steps, mail } }),
    );
    const sent = { channel: 'email', subject: 'Hi', html, text: 'Hi' };
    await writeFile(join(dir, 'templates', `${templateName}.json`), JSON.stringify(sent));
  };
  await sending('footer', 'with-footer', "<p>Hi</p>{% render 'footer' %}");
  // A comment whose text looks like an attribute holding the link after it.
  await sending(
    'linked',
    'with-link',
    '<p>Hi</p>\n<!-- <a title=" --> <a href="JavaScript:alert(1)">x</a> " -->',
  );
  // Template files that are not templates: a misspelt field, no channel, a number for text.
  await writeFile(
    join(dir, 'templates', 'wrong-typo.json'),
    JSON.stringify({ channel: 'sms', body: 'Hi', subjet: 'x' }),
  );
  await writeFile(
    join(dir, 'templates', 'wrong-unsent.json'),
    JSON.stringify({ subject: 'a', html: 'b', text: 'c' }),
  );
  await writeFile(join(dir, 'templates', 'wrong-number.json'), JSON.stringify({ channel: 'sms', body: 5 }));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('journeys validate: template syntax', () => {
  it('fails on broken Liquid, naming the file and each broken field', async () => {
    const result = await runCli(['validate', '--json', join(dir, 'promo.json')]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    const messages = report.templates.map((t: { message: string }) => t.message).join('\n');
    expect(messages).toMatch(/subject: broken Liquid syntax/);
    expect(messages).toMatch(/html: broken Liquid syntax/);
    expect(report.templates[0].file).toContain('promo.json');
  });

  it('fails on a partial, which no send could load, on the template and on the step that sends it', async () => {
    // act
    const result = await runCli(['validate', '--json', join(dir, 'footer.json')]);
    // assert: the tag as written and where, and the step's problem says the template is there but invalid
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    const said = `html: {% render 'footer' %} (line 1, column 10) loads another template, and templates read no other file: write its content here`;
    expect(report.templates.map((t: { message: string }) => t.message)).toContain(said);
    const [file] = report.files;
    expect(file.violations).toMatchObject([
      { path: 'steps.mail.template', code: 'template.invalid', message: expect.stringContaining(said) },
    ]);
  });

  it('fails on a link the html writes to script, read as a browser reads it, with its line and column', async () => {
    const result = await runCli(['validate', '--json', join(dir, 'linked.json')]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.templates.map((t: { message: string }) => t.message)).toContain(
      'html: a href (line 2, column 21) links to javascript:, which a message never opens',
    );
  });

  it('says in sentences what is wrong with a template file that is not a template, as for a journey', async () => {
    // act
    const result = await runCli(['validate', '--json', join(dir, 'promo.json')]);
    // assert
    const report = JSON.parse(result.stdout);
    const said = (name: string) =>
      report.templates
        .filter((t: { file: string }) => t.file.endsWith(`${name}.json`))
        .map((t: { message: string }) => t.message);
    expect(said('wrong-typo')).toEqual([
      '(template): has an unknown field "subjet" (did you mean "subject"?)',
    ]);
    expect(said('wrong-unsent')).toEqual(['channel: must be one of "email", "sms", "push"']);
    expect(said('wrong-number')).toEqual(['body: must be a string, got the number 5']);
  });
});
