import { resolve } from 'node:path';
import { journeyStatus } from '#infra/local/index.ts';
import { fail, paint } from '../output.ts';

/** `journeys status <journey>`: versions, the live alias, enrollments and the funnel, from local data. */
export async function statusCommand(
  journeyId: string,
  options: { dataDir: string; json?: boolean },
): Promise<void> {
  const status = await journeyStatus(resolve(options.dataDir), journeyId);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  if (status.versions.length === 0) {
    fail(
      `journey "${journeyId}" has not been deployed locally (data in ${options.dataDir}). The local runtime (\`npm start\`) deploys journeys/${journeyId}.json: check the id, and the terminal running it for a rejected deploy.`,
    );
    return;
  }
  const out: string[] = [paint('bold', `journey-${journeyId}`), '', 'Versions'];
  for (const v of status.versions) {
    const live = status.live.find((l) => l.version === v.version);
    out.push(
      `  v${v.version}  ${v.createdAt}${live === undefined ? '' : paint('green', `  ← live (${live.weight}%)`)}`,
    );
  }
  out.push('', 'Enrollments');
  if (status.enrollments.length === 0) out.push('  none yet');
  for (const e of status.enrollments)
    out.push(
      `  v${e.version.padEnd(8)} ${e.status.padEnd(10)} ${String(e.count).padStart(5)}${e.reason === undefined ? '' : `  ${e.reason}`}`,
    );
  out.push('', 'Funnel (enrollments that reached each step)');
  const top = Math.max(1, ...status.funnel.map((f) => f.enrollments));
  for (const f of status.funnel) {
    const bar = '█'.repeat(Math.max(1, Math.round((f.enrollments / top) * 30)));
    out.push(`  ${f.step.padEnd(28)} ${String(f.enrollments).padStart(5)} ${paint('cyan', bar)}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
