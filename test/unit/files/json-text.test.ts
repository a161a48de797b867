import { describe, expect, it } from 'vitest';
import { jsonPositions, parseJsonBytes, positionOf } from '#shared/json-text.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('reading a JSON file’s bytes', () => {
  it('refuses bytes that are not UTF-8 with where they are, rather than reading them as U+FFFD', () => {
    // A Latin-1 "café" on the second line.
    const bytes = new Uint8Array([...utf8('{\n"name": "caf'), 0xe9, ...utf8('"}')]);
    expect(parseJsonBytes(bytes)).toStrictEqual({
      ok: false,
      message: 'not UTF-8 text (near byte 15, line 2): save it as UTF-8',
    });
  });

  it('points at a byte that can never be UTF-8', () => {
    const bytes = new Uint8Array([...utf8('{"a": "é'), 0xff, ...utf8('"}')]);
    expect(parseJsonBytes(bytes)).toStrictEqual({
      ok: false,
      message: 'not UTF-8 text (near byte 10, line 1): save it as UTF-8',
    });
  });

  it('reads UTF-8 with a byte order mark, as some Windows editors save it', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('{"name": "Café ✨"}')]);
    // The text without the mark: lines and columns count from the first character of the JSON.
    expect(parseJsonBytes(bytes)).toStrictEqual({
      ok: true,
      value: { name: 'Café ✨' },
      text: '{"name": "Café ✨"}',
    });
  });

  it('says a file of nothing or blanks is empty', () => {
    expect(parseJsonBytes(utf8(''))).toStrictEqual({
      ok: false,
      message: 'empty: a JSON document was expected',
    });
    expect(parseJsonBytes(utf8(' \n\t'))).toStrictEqual({
      ok: false,
      message: 'empty: a JSON document was expected',
    });
  });

  it('names the line and column of a syntax error, also of a document cut short', () => {
    expect(parseJsonBytes(utf8('{\n  "a": 1,,\n}'))).toStrictEqual({
      ok: false,
      message: 'not valid JSON: Expected double-quoted property name at line 2, column 10',
    });
    expect(parseJsonBytes(utf8('{\n  "a": '))).toStrictEqual({
      ok: false,
      message: 'not valid JSON: Unexpected end of JSON input at line 2, column 7',
    });
  });

  it('refuses a key written twice in one object, naming where, as JSON would keep only the last', () => {
    // arrange: a step copied and not renamed
    const text =
      '{\n  "steps": {\n    "a": { "type": "wait", "next": "b" },\n    "b": { "type": "exit" },\n    "a": { "type": "exit" }\n  }\n}';
    // act
    const result = parseJsonBytes(utf8(text));
    // assert
    expect(result).toStrictEqual({
      ok: false,
      message:
        'written with the key "a" twice in steps (line 3, column 5 and line 5, column 5); JSON keeps only the last, so the first would be lost without a word',
    });
  });

  it.each([
    { case: 'the same key in two objects', text: '{"a": {"x": 1}, "b": {"x": 2}}' },
    { case: 'keys in a list of objects', text: '[{"x": 1}, {"x": 2}]' },
    { case: 'a key that differs only in case', text: '{"x": 1, "X": 2}' },
    { case: 'braces and quotes inside strings', text: '{"x": "} {\\"x\\": 1", "y": "\\\\"}' },
  ])('reads $case', ({ text }) => {
    expect(parseJsonBytes(utf8(text)).ok).toBe(true);
  });

  it('sees a key twice however it is escaped, and says where in lists', () => {
    expect(parseJsonBytes(utf8('{"v": [0, {"a": 1, "\\u0061": 2}]}'))).toStrictEqual({
      ok: false,
      message:
        'written with the key "a" twice in v[1] (line 1, column 12 and line 1, column 20); JSON keeps only the last, so the first would be lost without a word',
    });
  });
});

describe('where a path is written in a JSON text', () => {
  const text = [
    '{',
    '  "steps": {',
    '    "wait": { "type": "wait", "for": "1 day" },',
    '    "ünïcode": { "type": "exit" },',
    '    "ab": { "variants": [ { "name": "a" },',
    '      { "name": "b", "weight": "50" } ] }',
    '  }',
    '}',
  ].join('\n');
  const positions = jsonPositions(text);

  it('names the line and column of each key and list element, paths written as violations write them', () => {
    expect(positionOf(positions, 'steps.wait.for')).toStrictEqual({ line: 3, column: 31 });
    expect(positionOf(positions, 'steps["ünïcode"]')).toStrictEqual({ line: 4, column: 5 });
    expect(positionOf(positions, 'steps.ab.variants[1]')).toStrictEqual({ line: 6, column: 7 });
    expect(positionOf(positions, 'steps.ab.variants[1].weight')).toStrictEqual({ line: 6, column: 22 });
  });

  it('places a missing field at the nearest parent written, and the document nowhere', () => {
    expect(positionOf(positions, 'steps.wait.next')).toStrictEqual({ line: 3, column: 5 });
    expect(positionOf(positions, 'steps.ab.variants[0].next')).toStrictEqual({ line: 5, column: 27 });
    expect(positionOf(positions, '(journey)')).toBeUndefined();
    expect(positionOf(jsonPositions('\uFEFF{"a": 1}'), 'a')).toStrictEqual({ line: 1, column: 2 });
  });
});
