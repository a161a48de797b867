import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_START, type LocalRuntime, playDemo } from '#infra/local/index.ts';
import { boot, E2E_TIMEOUT, type Sandbox, sandbox, sentEmails } from './support/local-runtime.ts';

let box: Sandbox;
let runtime: LocalRuntime;
const printed: string[] = [];

beforeAll(async () => {
  box = await sandbox();
  runtime = await boot(box, { startAt: DEMO_START });
  // A journey day after the last answer leaves time for a send deferred by quiet hours.
  await playDemo(
    { ...runtime, options: { ...runtime.options, log: (line) => printed.push(line) } },
    { followSeconds: 86_400 },
  );
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

describe('the demo of npm start', () => {
  it('ends with the promoter asked for a review', async () => {
    const emails = await sentEmails(runtime, 'anna.rossi@example.com');

    expect(emails.map((e) => e.subject)).toContain('Thank you, Anna! Would you share that?');
  });

  it('ends with the detractor offered a service recovery, handed to customer care', async () => {
    const emails = await sentEmails(runtime, 'chloe.martin@example.com');
    const archive = await readFile(join(box.dataDir, 'events.jsonl'), 'utf8');

    expect(emails.map((e) => e.subject)).toContain('About your order ord-3001: we want to put this right');
    expect(archive).toContain('"Service Recovery Needed"');
  });

  it('runs the renewal reminder, a segment journey, on its schedule', () => {
    const report = printed.join('\n');

    expect(report).toContain('enter  renewal-reminder (segment run)');
    expect(report).toContain('Try it yourself');
  });
});
