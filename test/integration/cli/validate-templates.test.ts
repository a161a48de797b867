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
  await writeFile(
    join(dir, 'footer.json'),
    JSON.stringify({
      ...journey,
      id: 'footer',
      steps: { ...journey.steps, mail: { ...journey.steps.mail, template: 'with-footer' } },
    }),
  );
  const withFooter = { channel: 'email', subject: 'Hi', html: "<p>Hi</p>{% render 'footer' %}", text: 'Hi' };
  await writeFile(join(dir, 'templates', 'with-footer.json'), JSON.stringify(withFooter));
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
});
