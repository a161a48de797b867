import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_START, type LocalRuntime, playDemo } from '#infra/local/index.ts';
import { boot, E2E_TIMEOUT, type Sandbox, sandbox, sentEmails } from './support/local-runtime.ts';

let box: Sandbox;
let runtime: LocalRuntime;
const printed: string[] = [];

/** Plays the demo on a fresh sandbox; the runtime stays up for the checks. */
async function play(into: string[]): Promise<void> {
  box = await sandbox();
  runtime = await boot(box, { startAt: DEMO_START });
  // A journey day after the last answer leaves time for a send deferred by quiet hours.
  await playDemo(
    { ...runtime, options: { ...runtime.options, log: (line) => into.push(line) } },
    { followSeconds: 86_400 },
  );
}

/**
 * The customers' timelines and the funnels: what the demo printed between its
 * events and its hints, with the loopback ports (free ones, in links) made one.
 */
function report(lines: string[]): string {
  const from = lines.findIndex((l) => /^\s*$/.test(l) || l.startsWith('\n'));
  const to = lines.findIndex((l) => l.includes('Try it yourself'));
  return lines
    .slice(from, to)
    .join('\n')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>');
}

beforeAll(async () => {
  await play(printed);
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

describe('the demo of npm start', () => {
  it('prints the same timelines and funnels on every run, on every machine', async () => {
    // The recorded run, byte for byte: a change to the demo's journeys, templates or events
    // shows here as a diff; accept an intended one with `npx vitest run test/e2e/demo.test.ts -u`.
    expect(report(printed)).toContain('u-anna-rossi');
    await expect(report(printed)).toMatchFileSnapshot('__snapshots__/demo-report.txt');
  });

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
