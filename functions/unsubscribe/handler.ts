import middy from '@middy/core';
import { now } from '#functions/_lib/clock.ts';
import { keptPerColdStart } from '#functions/_lib/cold-start.ts';
import { lazyConfig } from '#functions/_lib/config.ts';
import { observability } from '#functions/_lib/middleware.ts';
import { profilesRepository } from '#functions/_lib/repositories.ts';
import { unsubscribeVerifyingKeys } from '#functions/_lib/signing-key.ts';
import * as z from '#shared/zod.ts';
import { manifest } from './manifest.ts';
import { handleUnsubscribe, text, type UnsubscribeDeps, type WebResponse } from './unsubscribe.ts';

const config = lazyConfig(manifest);

/** The fields of a Lambda function URL request (payload format 2.0) this function reads. */
export const FunctionUrlRequest = z.object({
  rawQueryString: z._default(z.string(), ''),
  body: z.optional(z.string()),
  isBase64Encoded: z._default(z.boolean(), false),
  requestContext: z.object({ http: z.object({ method: z.string() }) }),
});

const deps = keptPerColdStart<UnsubscribeDeps>();

/** The public unsubscribe endpoint (function URL): preference page and RFC 8058 one-click. */
export const handler = middy(async (event: unknown): Promise<WebResponse> => {
  const request = FunctionUrlRequest.safeParse(event);
  if (!request.success) return text(400, 'Bad request');
  const c = config();
  deps.value ??= {
    profiles: profilesRepository(c.PROFILES_TABLE_NAME),
    keys: unsubscribeVerifyingKeys(c),
    now,
  };
  const { body = '', isBase64Encoded, rawQueryString, requestContext } = request.data;
  return handleUnsubscribe(deps.value, {
    method: requestContext.http.method.toUpperCase(),
    query: new URLSearchParams(rawQueryString),
    body: isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body,
  });
}).use(observability());
