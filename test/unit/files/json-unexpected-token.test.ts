import { describe, expect, it } from 'vitest';
import { parseJsonBytes } from '#shared/json-text.ts';

/**
 * The mistakes people make writing JSON by hand — a duration left unquoted,
 * a value in single quotes, Python's True — are named at the line and
 * column where they are written, not at the end of the file (the parser
 * gives no position for an unexpected token, only a quote of the text
 * around it, which is left out).
 */

function problemOf(text: string): string {
  const read = parseJsonBytes(new TextEncoder().encode(text));
  return read.ok ? 'parsed' : read.message;
}

describe('a syntax error at an unexpected token', () => {
  it.each([
    [
      'a duration unquoted',
      '{\n  "type": "wait",\n  "for": PT1H,\n  "next": "done"\n}\n',
      "'P' at line 3, column 10",
    ],
    [
      'a value in single quotes',
      '{\n  "id": \'welcome\',\n  "name": "Welcome"\n}\n',
      "''' at line 2, column 9",
    ],
    ['True for true', '{\n  "steps": {\n    "a": { "exit": True }\n  }\n}', "'T' at line 3, column 20"],
    ['a token first', 'x', "'x' at line 1, column 1"],
    ['a token after a long line', `{"name": "${'a'.repeat(5000)}", "b": nope}`, "'o' at line 1, column 5020"],
  ])('names where it is written: %s', (_why, text, where) => {
    // act
    const problem = problemOf(text);
    // assert
    expect(problem).toBe(`not valid JSON: Unexpected token ${where}`);
  });

  it('does not quote the text around the token', () => {
    // act
    const problem = problemOf('{"password": "x", "token": hunter2-secret}');
    // assert
    expect(problem).toBe("not valid JSON: Unexpected token 'h' at line 1, column 28");
  });
});
