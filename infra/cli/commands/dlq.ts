import { resolve } from 'node:path';
import { noRuntimeData } from '#infra/local/runtime/data-folder.ts';
import { deadLettersPath, readDeadLetters } from '#infra/local/services/eventbridge/dead-letters.ts';
import { fail, paint, terminalLine } from '../output.ts';
import { localEndpoint, replayDeadLetters } from '../runtime-client.ts';

/** `journeys dlq`: the events the local bus could not deliver, with the reason. */
export async function dlqCommand(options: { dataDir: string; json?: boolean }): Promise<void> {
  const missing = noRuntimeData(resolve(options.dataDir));
  if (missing !== undefined) return fail(missing);
  const { letters, unreadable } = await readDeadLetters(deadLettersPath(resolve(options.dataDir)));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
    return;
  }
  if (letters.length === 0) process.stdout.write('No dead-lettered events: every delivery succeeded.\n');
  // Each field is the sender's or the failure's text: escaped, on its own line, so the terminal prints it and acts on none of it.
  for (const l of letters) {
    const head = `${paint('dim', terminalLine(l.failedAt))} ${paint('bold', terminalLine(l.target))}`;
    process.stdout.write(
      `${head} ← ${terminalLine(l.event['detail-type'])} ${terminalLine(l.event.id)}\n    ${paint('red', terminalLine(l.error))}\n`,
    );
  }
  if (unreadable > 0) process.stdout.write(`${unreadable} line(s) could not be read and are not shown\n`);
  if (letters.length > 0)
    process.stdout.write(`\n${letters.length} event(s). Replay them with \`npx journeys dlq replay\`.\n`);
}

/** `journeys dlq replay`: the running runtime delivers its dead-lettered events again. */
export async function dlqReplayCommand(options: { endpoint?: string; dataDir?: string }): Promise<void> {
  const result = await replayDeadLetters(localEndpoint(options));
  process.stdout.write(
    `${paint('green', '✔')} replayed ${result.replayed} event(s)${result.failedAgain > 0 ? paint('red', `; ${result.failedAgain} failed again and stay in the dead-letter file`) : ''}\n`,
  );
  if (result.failedAgain > 0) process.exitCode = 1;
}
