import { resolve } from 'node:path';
import { deadLettersPath, readDeadLetters } from '#infra/local/services/eventbridge/dead-letters.ts';
import { paint } from '../output.ts';
import { localEndpoint, replayDeadLetters } from '../runtime-client.ts';

/** `journeys dlq`: the events the local bus could not deliver, with the reason. */
export async function dlqCommand(options: { dataDir: string; json?: boolean }): Promise<void> {
  const { letters, unreadable } = await readDeadLetters(deadLettersPath(resolve(options.dataDir)));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
    return;
  }
  if (letters.length === 0) process.stdout.write('No dead-lettered events: every delivery succeeded.\n');
  for (const l of letters) {
    process.stdout.write(
      `${paint('dim', l.failedAt)} ${paint('bold', l.target)} ← ${l.event['detail-type']} ${l.event.id}\n    ${paint('red', l.error)}\n`,
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
