import { createRequire } from 'node:module';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedParse, cacheExpressionParsing } from '#infra/local/services/dynamodb/expression-cache.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * dynalite's expression parsers answer a repeated expression from a cache:
 * the same parse, with this request's values, the same names and values
 * marked used, and the same refusals, as the parser itself gives.
 */

type Context = {
  attrNames?: Record<string, string>;
  attrVals?: Record<string, Record<string, unknown>>;
  unusedAttrNames: Record<string, true>;
  unusedAttrVals: Record<string, true>;
  isReserved: (name: string) => boolean;
  compare: (op: string, x: unknown, y: unknown) => boolean;
};
type Parse = (input: string, options: { context: Context }) => unknown;

const dynaliteMain = createRequire(import.meta.url).resolve('dynalite');
const load = createRequire(dynaliteMain);
const db: { isReserved: (name: string) => boolean; compare: Context['compare'] } = load('./db/index.js');
const validations: { validateExpressions: (data: Record<string, unknown>) => string | undefined } =
  load('./validations/index.js');

/** The parser's own parse: the module's function as dynalite wrote it, whatever the cache did to the module. */
function original(file: string): Parse {
  const path = load.resolve(file);
  const saved = load.cache[path];
  delete load.cache[path];
  try {
    return (load(path) as { parse: Parse }).parse;
  } finally {
    if (saved !== undefined) load.cache[path] = saved;
  }
}

const condition = original('./db/conditionParser.js');
const update = original('./db/updateParser.js');

/** A context as dynalite's validations build it for a request. */
function context(
  attrNames: Record<string, string> | undefined,
  attrVals: Record<string, Record<string, unknown>> | undefined,
): Context {
  const flags = (record: object | undefined) =>
    Object.fromEntries(Object.keys(record ?? {}).map((k) => [k, true as const]));
  return {
    ...(attrNames === undefined ? {} : { attrNames }),
    ...(attrVals === undefined ? {} : { attrVals }),
    unusedAttrNames: flags(attrNames),
    unusedAttrVals: flags(attrVals),
    isReserved: db.isReserved,
    compare: db.compare,
  };
}

/** The parser's answer, or its refusal as dynalite's validations word it. */
function answer(parse: Parse, input: string, ctx: Context): unknown {
  try {
    return parse(input, { context: ctx });
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

/** Parses with `cached` and with the parser, each on its own context: both answers and what each left unused. */
function both(
  parse: Parse,
  cached: Parse,
  input: string,
  names?: Record<string, string>,
  values?: Context['attrVals'],
) {
  const plain = context(names, values);
  const fromCache = context(names, values);
  return {
    expected: { result: answer(parse, input, plain), unused: [plain.unusedAttrNames, plain.unusedAttrVals] },
    actual: {
      result: answer(cached, input, fromCache),
      unused: [fromCache.unusedAttrNames, fromCache.unusedAttrVals],
    },
  };
}

/** A cache of at most `bound` parses over `parse`, and the expressions `parse` itself was called with. */
function countedCache(parse: Parse, bound: number): { calls: string[]; cached: Parse } {
  const calls: string[] = [];
  const counting: Parse = (input, options) => {
    calls.push(input);
    return parse(input, options);
  };
  return { calls, cached: cachedParse(counting as never, bound) as unknown as Parse };
}

describe('dynalite expression parsing from a cache', () => {
  it('gives a repeated update expression the parse of its own values, and marks the same names and values used', () => {
    // arrange
    const cached = cachedParse(update as never) as unknown as Parse;
    const input = 'SET #a = :a, #b = if_not_exists(#b, :b), #l = list_append(#l, :l) ADD #n :one REMOVE #r';
    const names = { '#a': 'a', '#b': 'b', '#l': 'l', '#n': 'n', '#r': 'r', '#spare': 'spare' };
    const values = (i: number) => ({
      ':a': { S: `a${i}` },
      ':b': { N: `${i}` },
      ':l': { L: [{ N: `${i}` }] },
      ':one': { N: '1' },
      ':x': { S: 'spare' },
    });

    // act: the first parse fills the cache, the next ones answer from it
    const runs = [1, 2, 3].map((i) => both(update, cached, input, names, values(i)));

    // assert
    for (const { expected, actual } of runs) expect(actual).toEqual(expected);
    const last = runs[2]?.actual.result as { sections: unknown[] } | undefined;
    expect(last?.sections[0]).toMatchObject({
      val: { S: 'a3' },
    });
    expect(runs[2]?.actual.unused).toEqual([{ '#spare': true }, { ':x': true }]);
  });

  it('hands the parse the request’s own value objects, and a copy of its own each time', () => {
    const cached = cachedParse(condition as never) as unknown as Parse;
    const input = '#s = :v AND (#n < :v OR attribute_exists(#m.#s[2]))';
    const names = { '#s': 's', '#n': 'n', '#m': 'm' };
    cached(input, { context: context(names, { ':v': { S: 'first' } }) });
    const value = { S: 'second' };

    const first = cached(input, { context: context(names, { ':v': value }) }) as {
      expression: { args: unknown[] };
    };
    (first.expression.args as unknown[]).length = 0;
    const second = cached(input, { context: context(names, { ':v': { S: 'third' } }) });

    expect(JSON.stringify(first)).not.toContain('first');
    expect(second).toEqual(condition(input, { context: context(names, { ':v': { S: 'third' } }) }));
    const again = cached(input, { context: context(names, { ':v': value }) }) as {
      expression: { args: [{ args: [unknown, unknown] }] };
    };
    expect(again.expression.args[0].args[1]).toBe(value);
  });

  it.each([
    [
      'a value of another type',
      'SET #a = #a + :v',
      { '#a': 'a' },
      [{ ':v': { N: '1' } }, { ':v': { S: 'x' } }],
    ],
    ['a name left undefined', '#a = :v', undefined, [{ ':v': { N: '1' } }]],
    ['an unknown function', 'nope(#a)', { '#a': 'a' }, [undefined]],
    ['a syntax error', '#a = = :v', { '#a': 'a' }, [{ ':v': { N: '1' } }]],
    [
      'BETWEEN bounds in the wrong order',
      '#a BETWEEN :x AND :y',
      { '#a': 'a' },
      [
        { ':x': { N: '1' }, ':y': { N: '2' } },
        { ':x': { N: '3' }, ':y': { N: '2' } },
      ],
    ],
    [
      'attribute_type with a type that does not exist',
      'attribute_type(#a, :t)',
      { '#a': 'a' },
      [{ ':t': { S: 'S' } }, { ':t': { S: 'X' } }],
    ],
  ] as const)('refuses as the parser does: %s', (_case, input, names, valueSets) => {
    const parse = input.startsWith('SET') ? update : condition;
    const cached = cachedParse(parse as never) as unknown as Parse;
    for (const values of [...valueSets, ...valueSets]) {
      const { expected, actual } = both(parse, cached, input, names, values as Context['attrVals']);
      expect(actual).toEqual(expected);
    }
    expect(
      JSON.stringify(
        both(parse, cached, input, names, valueSets.at(-1) as Context['attrVals']).actual.result,
      ),
    ).toMatch(/refused|Invalid|not defined|incorrect|Incorrect|BETWEEN|type/);
  });

  it('answers one expression sent with a name of each customer’s from one parse, as the parser would', () => {
    // arrange: a trait or token named after the customer, as profiles store them
    const { calls, cached } = countedCache(update, 2);
    const input = 'SET #t = :t, #e = :e, #m.#t = :t REMOVE #old';
    const names = (i: number) => ({
      '#t': `tok:token-${i}`,
      '#e': 'email',
      '#m': 'meta',
      '#old': `t:gone-${i}`,
    });
    const values = (i: number) => ({ ':t': { S: `token ${i}` }, ':e': { S: `c${i}@example.com` } });

    // act
    const runs = [1, 2, 3, 4, 5].map((i) => both(update, cached, input, names(i), values(i)));

    // assert: each customer gets its own names and values, from the one parse of the shape
    for (const { expected, actual } of runs) expect(actual).toEqual(expected);
    expect(JSON.stringify(runs[4]?.actual.result)).toContain('tok:token-5');
    expect(JSON.stringify(runs[4]?.actual.result)).not.toContain('token-4');
    expect(calls).toHaveLength(1);
  });

  it.each([
    [
      'two names of one attribute',
      'SET #a = :x, #b = :y',
      [
        { '#a': 'a', '#b': 'b' },
        { '#a': 'c', '#b': 'c' },
      ],
    ],
    ['a name equal to one spelled out', 'SET a = :x, #b = :y', [{ '#b': 'b' }, { '#b': 'a' }]],
    [
      'a name under an equal one',
      'SET #m.#k = :x, #n = :y',
      [
        { '#m': 'm', '#k': 'k', '#n': 'n' },
        { '#m': 'm', '#k': 'k', '#n': 'm' },
      ],
    ],
    [
      'a comparison of a path with itself',
      '#a < #b',
      [
        { '#a': 'a', '#b': 'b' },
        { '#a': 'a', '#b': 'a' },
      ],
    ],
    ['an empty name', 'SET #a = :x', [{ '#a': 'a' }, { '#a': '' }]],
  ] as const)('refuses as the parser does names that change the paths: %s', (_case, input, nameSets) => {
    const parse = input.startsWith('SET') ? update : condition;
    const cached = cachedParse(parse as never) as unknown as Parse;
    const values = { ':x': { N: '1' }, ':y': { N: '2' } };
    const results = [...nameSets, ...nameSets].map((names) => both(parse, cached, input, names, values));
    for (const { expected, actual } of results) expect(actual).toEqual(expected);
    expect(JSON.stringify(results[1]?.actual.result)).toMatch(/refused|overlap|distinct|not defined/i);
  });

  it('answers names that are names of Object’s own properties as the parser does', () => {
    const cached = cachedParse(update as never) as unknown as Parse;
    const input = 'SET #a.#b = :x, #c = :x REMOVE #d';
    const sets = [
      { '#a': 'm', '#b': 'k', '#c': 'c', '#d': 'd' },
      { '#a': '__proto__', '#b': 'constructor', '#c': 'toString', '#d': 'hasOwnProperty' },
      { '#a': 'constructor', '#b': '__proto__', '#c': 'valueOf', '#d': '__proto__' },
    ];
    for (const names of [...sets, ...sets]) {
      const { expected, actual } = both(update, cached, input, names, { ':x': { N: '1' } });
      expect(actual).toEqual(expected);
    }
  });

  it('keeps at most its bound of parses, and still answers as the parser past it', () => {
    const { calls, cached } = countedCache(condition, 2);
    const parseOf = (n: number) =>
      cached(`#a = :v${n}`, { context: context({ '#a': 'a' }, { [`:v${n}`]: { N: `${n}` } }) });

    for (const n of [1, 2, 1, 2, 3, 1]) parseOf(n);

    // 1 and 2 were kept, 3 pushed 1 out
    expect(calls.map((c) => c.slice(-1))).toEqual(['1', '2', '3', '1']);
  });
});

describe('dynalite with its parsers cached', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite('parse-cache');
  });
  afterAll(async () => dynamo.stop());

  it('is what the tests and the local runtime start', () => {
    expect(cacheExpressionParsing()).toBe(true);
    const installed = (file: string) => (load(file) as { parse: Parse }).parse;
    expect(installed('./db/updateParser.js')).not.toBe(update);
    expect(installed('./db/conditionParser.js')).not.toBe(condition);
    // and dynalite's validations go through it, refusing as before
    expect(validations.validateExpressions({ UpdateExpression: 'SET #a = :a' })).toMatch(/not defined/);
  });

  it('writes each request’s own values for one expression sent again and again', async () => {
    const table = dynamo.tables.profiles;
    const write = (n: number, label: string) =>
      dynamo.doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { userId: 'u-1' },
          UpdateExpression: 'SET #n = :n, #l = :l ADD #c :one',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :n',
          ExpressionAttributeNames: { '#n': 'n', '#l': 'label', '#c': 'count' },
          ExpressionAttributeValues: { ':n': n, ':l': label, ':one': 1 },
        }),
      );

    for (let n = 1; n <= 5; n++) await write(n, `label ${n}`);
    await expect(write(2, 'late')).rejects.toThrow(/conditional request failed/);

    const item = await dynamo.doc.send(new GetCommand({ TableName: table, Key: { userId: 'u-1' } }));
    expect(item.Item).toEqual({ userId: 'u-1', n: 5, label: 'label 5', count: 5 });
  });
});
