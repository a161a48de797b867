import { describe, expect, it } from 'vitest';
import { PATH_PATTERN, pathOf, pathSegments, readPath } from '#shared/conditions/path.ts';

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

describe('names in any script, and names with any character', () => {
  const traits = {
    prénom: 'Zoë',
    名前: 'Hanako',
    straße: 'Hauptstraße 1',
    नाम: 'Asha',
    'price (EUR)': 12,
    " it's ": 'kept spaces',
    'say "hi"': 'quoted',
    'back\\slash': 'slash',
    'a]b[c': 'brackets',
    '🛒 cart': 'emoji',
    constructor: 'data',
    prototype: 'data too',
  };

  it.each([
    ['profile.traits.prénom', ['profile', 'traits', 'prénom']],
    ['profile.traits.名前', ['profile', 'traits', '名前']],
    ['profile.traits.straße', ['profile', 'traits', 'straße']],
    ['profile.traits.नाम', ['profile', 'traits', 'नाम']],
    ["profile.traits['price (EUR)']", ['profile', 'traits', 'price (EUR)']],
    [String.raw`profile.traits[' it\'s ']`, ['profile', 'traits', " it's "]],
    [String.raw`profile.traits["say \"hi\""]`, ['profile', 'traits', 'say "hi"']],
    [String.raw`profile.traits['back\\slash']`, ['profile', 'traits', 'back\\slash']],
    ["profile.traits['a]b[c']", ['profile', 'traits', 'a]b[c']],
    ["profile.traits['🛒 cart']", ['profile', 'traits', '🛒 cart']],
    ['profile.traits.constructor', ['profile', 'traits', 'constructor']],
    ["profile.traits['prototype']", ['profile', 'traits', 'prototype']],
  ])('accepts %s and reads its names', (path, segments) => {
    // act / assert
    expect(PATH_PATTERN.test(path)).toBe(true);
    expect(pathSegments(path)).toEqual(segments);
    expect(readPath({ profile: { traits } }, path)).toBe(traits[segments[2] as keyof typeof traits]);
  });

  it('reads a path in NFC, whichever form the file spells it in', () => {
    // arrange: "prénom" decomposed (e + U+0301), as macOS keyboards type it
    const decomposed = 'profile.traits.pre\u0301nom';
    // act / assert
    expect(PATH_PATTERN.test(decomposed)).toBe(true);
    expect(pathSegments(decomposed)).toEqual(['profile', 'traits', 'prénom']);
    expect(readPath({ profile: { traits } }, decomposed)).toBe('Zoë');
    expect(pathSegments("event.properties['Gro\u0308ße']")).toEqual(['event', 'properties', 'Größe']);
  });

  it.each([
    'profile.traits.__proto__',
    "profile.traits['__proto__']",
    'profile.traits["__proto__"].x',
    'event.__proto__.x',
    "profile.traits['it's']",
    String.raw`profile.traits['a\b']`,
    String.raw`profile.traits['trailing\']`,
    'profile.traits.a  b',
    'profile.traits. lead',
    'profile.traits.🛒',
  ])('refuses %s', (path) => {
    expect(PATH_PATTERN.test(path)).toBe(false);
  });

  it('writes any name as a path that reads it back', () => {
    for (const name of Object.keys(traits)) {
      // act
      const path = pathOf('profile', ['traits', name]);
      // assert
      expect(PATH_PATTERN.test(path), path).toBe(true);
      expect(pathSegments(path), path).toEqual(['profile', 'traits', name]);
    }
    expect(pathOf('event', ['properties', 'plan'])).toBe('event.properties.plan');
    expect(pathOf('event', ['properties', 'utm.source'])).toBe("event.properties['utm.source']");
  });
});
