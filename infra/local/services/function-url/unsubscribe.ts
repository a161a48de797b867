import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { BodyTooLargeError, readBody } from '../../runtime/http.ts';
import type { Invoke } from '../../runtime/lambdas.ts';
import { type HeldPorts, serve } from '../../runtime/listen.ts';

/**
 * The unsubscribe endpoint on loopback: each HTTP request becomes the Lambda
 * function URL event the unsubscribe function gets on AWS, and its answer
 * goes back as is. Links are signed with a key kept in the data directory,
 * so links in emails sent before a restart keep verifying.
 */
export type LocalUnsubscribe = {
  url: string;
  signingKey: string;
  /** Binds the unsubscribe function once the handlers are loaded. */
  bind: (invoke: Invoke) => void;
  stop: () => Promise<void>;
};

const KEY_FILE = 'unsubscribe-signing.key';

/** The most a Lambda function URL takes in a request body (its 6 MB invocation payload); past it, 413. */
export const FUNCTION_URL_MAX_BODY_BYTES = 6 * 1024 * 1024;

async function signingKey(dataDir: string): Promise<string> {
  const file = join(dataDir, KEY_FILE);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch {
    // First run: create it below.
  }
  const key = randomBytes(32).toString('hex');
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

function header(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  // Header names come from the request: own entries, never a prototype to set.
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

export async function startUnsubscribe(dataDir: string, heldPorts?: HeldPorts): Promise<LocalUnsubscribe> {
  let invoke: Invoke | undefined;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req, FUNCTION_URL_MAX_BODY_BYTES);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (invoke === undefined) {
        res.writeHead(503).end('starting');
        return;
      }
      const answer = await invoke({
        rawPath: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ''),
        body: body.toString('base64'),
        isBase64Encoded: true,
        requestContext: { http: { method: req.method ?? 'GET' } },
      });
      const out = answer !== null && typeof answer === 'object' ? answer : {};
      const statusCode = Reflect.get(out, 'statusCode');
      const text = Reflect.get(out, 'body');
      res.writeHead(typeof statusCode === 'number' ? statusCode : 502, header(Reflect.get(out, 'headers')));
      res.end(typeof text === 'string' ? text : '');
    })().catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
          }),
        );
        return;
      }
      // As a function URL answers a function that failed: nothing of the error (tables, endpoints, a
      // customer's address) reaches whoever followed the link; the function's own log has it.
      res.writeHead(502, { 'content-type': 'text/plain' }).end('Internal Server Error');
    });
  });
  const serving = await serve(server, 'unsubscribe', 0, heldPorts);
  return {
    url: `http://127.0.0.1:${serving.port}/unsubscribe`,
    signingKey: await signingKey(dataDir),
    bind: (fn) => {
      invoke = fn;
    },
    stop: serving.close,
  };
}
