import { describe, expect, it } from 'vitest';
import { isLoopbackHost, isLoopbackOrigin } from '#infra/local/runtime/loopback-hosts.ts';

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1:4020',
    '127.0.0.1',
    'localhost:8000',
    'LOCALHOST:8000',
    'localhost.:8000',
    '[::1]:4010',
    'journeys.localhost:4020',
    undefined,
  ])('serves %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    'rebound.example:4020',
    'localhost.rebound.example',
    '127.0.0.1.rebound.example:4020',
    'localhost@rebound.example',
    '[::1].rebound.example',
    '0.0.0.0:4020',
    '192.168.1.20:4020',
    '',
  ])('refuses %s', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('isLoopbackOrigin', () => {
  it.each([
    undefined,
    'http://127.0.0.1:4020',
    'http://localhost:3000',
    'https://[::1]:8443',
    'http://app.localhost',
  ])('serves a request from %s', (origin) => {
    expect(isLoopbackOrigin(origin)).toBe(true);
  });

  it.each([
    'https://site.example',
    'null',
    'http://localhost.site.example',
    'file://',
    'chrome-extension://abc',
    '',
  ])('refuses a request from %s', (origin) => {
    expect(isLoopbackOrigin(origin)).toBe(false);
  });
});
