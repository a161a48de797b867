import { describe, expect, it } from 'vitest';
import { readPath } from '#shared/conditions/path.ts';

const data = JSON.parse(
  '{"a":{"b":{"c":1},"list":[{"sku":"x"},{"sku":"y"}],"nil":null,"zero":0,"empty":"","__proto__":{"polluted":true},"text":"hello"}}',
);

describe('readPath', () => {
  it.each([
    ['a.b.c', 1],
    ['a.list.0.sku', 'x'],
    ['a.list.1.sku', 'y'],
    ['a.nil', null],
    ['a.zero', 0],
    ['a.empty', ''],
    ['', data],
  ])('reads %s', (path, expected) => {
    // act / assert
    expect(readPath(data, path)).toEqual(expected);
  });

  it.each([
    'a.missing',
    'a.b.c.d',
    'a.nil.x',
    'a.list.2',
    'a.list.01',
    'a.list.-1',
    'a.list.sku',
    'a.list.length',
    'a.text.length',
    'a.text.0',
    'a.__proto__',
    'a.__proto__.polluted',
    'a.constructor',
    'a.b.constructor.name',
    'a.b.toString',
    'a.b.hasOwnProperty',
    'a.prototype',
    'a..b',
  ])('yields undefined for %s', (path) => {
    expect(readPath(data, path)).toBeUndefined();
  });

  it.each([null, undefined, 3, 'text', true, []])('never throws on the root %j', (root) => {
    expect(readPath(root, 'a.b.c')).toBeUndefined();
  });

  it('reads numeric keys of objects', () => {
    expect(readPath({ m: { '0': 'zero' } }, 'm.0')).toBe('zero');
  });
});
