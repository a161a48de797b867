import { resolve } from 'node:path';
import { readOutbox } from '#infra/local/index.ts';
import { noRuntimeData } from '#infra/local/runtime/data-folder.ts';
import { fail, paint, terminalText } from '../output.ts';

/** `journeys outbox`: the SMS and push messages the local runtime sent. */
export async function outboxCommand(options: {
  dataDir: string;
  json?: boolean;
  user?: string;
}): Promise<void> {
  const missing = noRuntimeData(resolve(options.dataDir));
  if (missing !== undefined) return fail(missing);
  const entries = (await readOutbox(resolve(options.dataDir))).filter(
    (e) => options.user === undefined || e.context?.userId === options.user,
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return;
  }
  if (entries.length === 0) {
    process.stdout.write(
      options.user === undefined
        ? 'The outbox is empty: no SMS or push sent locally yet (emails are in the SES viewer).\n'
        : `No SMS or push for ${options.user} (emails are in the SES viewer).\n`,
    );
    return;
  }
  for (const e of entries) {
    const head = `${paint('dim', e.at)} ${paint('bold', e.channel.toUpperCase())} → ${terminalText(e.to)}`;
    const text = `${e.title === undefined ? '' : `${e.title} — `}${e.body}`;
    process.stdout.write(`${head}\n    ${terminalText(text)}\n`);
  }
  process.stdout.write(`\n${entries.length} message${entries.length === 1 ? '' : 's'}\n`);
}
