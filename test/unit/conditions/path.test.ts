import { describe, expect, it } from 'vitest';
import { PATH_PATTERN, pathSegments, readPath } from '#shared/conditions/path.ts';

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

describe('names that contain a dot', () => {
  const traits = { 'utm.source': 'newsletter', utm: { medium: 'email' }, 'a.b': { 'c.d': 1 } };

  it.each([
    ["traits['utm.source']", 'newsletter'],
    ['traits["utm.source"]', 'newsletter'],
    ['traits.utm.medium', 'email'],
    ["traits['a.b']['c.d']", 1],
    ["traits['utm']", { medium: 'email' }],
  ])('reads %s', (path, expected) => {
    // act / assert
    expect(readPath({ traits }, path)).toEqual(expected);
  });

  it.each([
    // a dotted path goes down through objects: the name "utm.source" is not "utm" then "source"
    'traits.utm.source',
    "traits['utm.medium']",
    "traits['utm.source'",
    "traits['__proto__']",
  ])('yields undefined for %s', (path) => {
    expect(readPath({ traits }, path)).toBeUndefined();
  });

  it.each([
    ["profile.traits['utm.source']", ['profile', 'traits', 'utm.source']],
    ['profile.events["order.completed"].count', ['profile', 'events', 'order.completed', 'count']],
    ["trigger.properties['a.b']['c d'].e", ['trigger', 'properties', 'a.b', 'c d', 'e']],
    ['profile.events.App Opened.last', ['profile', 'events', 'App Opened', 'last']],
  ])('splits %s into its names', (path, segments) => {
    expect(pathSegments(path)).toEqual(segments);
  });

  it.each([
    "profile.traits['utm.source']",
    'profile.events["order.completed"].count',
    'profile.events.App Opened.last',
  ])('accepts the path %s', (path) => {
    expect(PATH_PATTERN.test(path)).toBe(true);
  });

  it.each([
    "profile['traits'].plan",
    "profile.traits['utm.source'",
    `profile.traits['utm.source"]`,
    "profile.traits['it''s']",
    "profile.traits['utm.source']x",
    "profile.traits.['utm.source']",
    "profile.traits['']",
  ])('refuses the path %s', (path) => {
    expect(PATH_PATTERN.test(path)).toBe(false);
  });
});
