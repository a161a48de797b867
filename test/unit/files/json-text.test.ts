import { describe, expect, it } from 'vitest';
import { parseJsonBytes } from '#shared/json-text.ts';

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
    expect(parseJsonBytes(bytes)).toStrictEqual({ ok: true, value: { name: 'Café ✨' } });
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
});
