import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

/** Colours only on a terminal, and never when NO_COLOR is set. */
const colour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;

export function paint(style: Style, text: string): string {
  return colour ? styleText(style, text) : text;
}

export { terminalLine, terminalText } from '#infra/local/runtime/terminal-text.ts';

/** Prints an error for a command that cannot go on, and sets a failing exit code. */
export function fail(message: string): void {
  process.stderr.write(`${paint('red', 'error')} ${message}\n`);
  process.exitCode = 1;
}
