/**
 * What a terminal acts on instead of printing: C0 controls but tab and line
 * feed (escape sequences, carriage return, backspace), DEL, C1 controls and the
 * Unicode bidirectional overrides that reorder what is shown.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Text from customer data (traits, event properties, rendered messages) as a
 * terminal should show it: each control character written as its escape
 * (`\u001b`), so a value can neither colour, move, retitle nor rewrite the
 * output, nor reach the clipboard through an escape sequence.
 */
export function terminalText(text: string): string {
  return text.replace(CONTROLS, escaped);
}

/** As {@link terminalText}, and a line feed escaped too: a value printed within a line cannot start a line of its own. */
export function terminalLine(text: string): string {
  return terminalText(text).replace(/\n/g, escaped);
}
