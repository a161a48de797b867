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
});
