import { logger } from '#functions/_lib/observability.ts';
import type { ProfilesRepository } from '#functions/_lib/profiles.ts';
import type { VerifyingKeys } from '#functions/_lib/signing-key.ts';
import {
  mayResubscribe,
  RESUBSCRIBE_WITHIN_DAYS,
  type UnsubscribeClaim,
  verifyUnsubscribe,
} from '#functions/_lib/unsubscribe-links.ts';
import type { Channel } from '#shared/channels.ts';
import { addressOf } from '#shared/delivery/policy.ts';
import { suppressedAsDelivered } from '#shared/delivery/suppressed-spelling.ts';
import type { ProfileState } from '#shared/profile/state.ts';
import { invalidLinkPage, noProfilePage, preferencesPage, suppressedNotice } from './page.ts';

/**
 * The unsubscribe endpoint (a Lambda function URL, and the local runtime):
 * GET shows the preferences of the channel and topic the signed link names;
 * POST `List-Unsubscribe=One-Click` (RFC 8058, what mailbox providers send)
 * opts out at once; POST `action=…` from the page changes one preference.
 * Every change lands in the profile as consent, which the next send honours.
 */
export type UnsubscribeDeps = { profiles: ProfilesRepository; keys: VerifyingKeys; now: () => Date };

export type WebRequest = { method: string; query: URLSearchParams; body: string };
export type WebResponse = { statusCode: number; headers: Record<string, string>; body: string };

const ACTIONS = ['topic-off', 'topic-on', 'channel-off', 'channel-on', 'one-click'] as const;
type Action = (typeof ACTIONS)[number];

/**
 * The headers of every answer, whatever its status: the URL holds a token
 * that changes preferences, so no cache keeps an answer and no page it links
 * to learns the URL; a browser reads each answer as the type it says.
 */
const ALWAYS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
} as const;

/** A plain-text answer (one-click, a refused method or body), with the headers of every answer. */
export function text(statusCode: number, body: string, headers: Record<string, string> = {}): WebResponse {
  return {
    statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...ALWAYS, ...headers },
    body,
  };
}

/** The page: no script, forms to this URL only, and no other site may frame its buttons. */
const html = (statusCode: number, body: string): WebResponse => ({
  statusCode,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    ...ALWAYS,
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  },
  body,
});

/**
 * The largest form body read, in characters: the page's forms and a mailbox
 * provider's one-click POST send one short field. The endpoint is public and
 * anyone with a link of their own can post; a larger body (a function URL
 * takes 6 MB) is answered 413 unread, so no request costs more than a form.
 */
const MAX_FORM_CHARS = 16_384;

/** A multipart body starts with its boundary line; the boundary is up to 70 characters (RFC 2046). */
const MULTIPART = /^--([^\r\n]{1,70})\r?\n/;
const PART_NAME = /content-disposition:\s*form-data\s*;[^\r\n]*?\bname="?([^";\r\n]+)"?/i;

/**
 * The fields of a form body: URL-encoded, or multipart/form-data, which RFC 8058
 * asks mailbox providers to prefer for the one-click POST. Known from the body
 * itself, so a missing or rewritten Content-Type changes nothing.
 */
function formFields(body: string): Map<string, string> {
  const boundary = MULTIPART.exec(body)?.[1];
  if (boundary === undefined) return new Map(new URLSearchParams(body));
  const fields = new Map<string, string>();
  for (const part of body.split(`--${boundary}`)) {
    const blank = /\r?\n\r?\n/.exec(part);
    if (blank === null) continue;
    const name = PART_NAME.exec(part.slice(0, blank.index))?.[1];
    const value = part.slice(blank.index + blank[0].length).replace(/\r?\n$/, '');
    if (name !== undefined && !fields.has(name)) fields.set(name, value);
  }
  return fields;
}

/** The action a form asks for; a topic action on a link that names no topic asks for nothing. */
function actionOf(body: string, claim: UnsubscribeClaim): Action | undefined {
  const form = formFields(body);
  if (form.get('List-Unsubscribe') === 'One-Click') return 'one-click';
  const action = ACTIONS.find((a) => a === form.get('action'));
  if ((action === 'topic-off' || action === 'topic-on') && claim.t === undefined) return undefined;
  return action;
}

/** What an action does to consent: only `channel-on` subscribes, and only a topic link changes a topic. */
async function apply(deps: UnsubscribeDeps, claim: UnsubscribeClaim, action: Action): Promise<string> {
  const { u: userId, c: channel, t: topic } = claim;
  const reason = 'unsubscribe link';
  // One-click opts out of what the message was about: its topic, else the channel.
  const effective = action === 'one-click' ? (topic === undefined ? 'channel-off' : 'topic-off') : action;
  switch (effective) {
    case 'topic-off':
    case 'topic-on': {
      // actionOf never asks a link without a topic for these; never fall through to the channel.
      if (topic === undefined) return 'Nothing changed.';
      const outcome = await deps.profiles.setConsent(
        userId,
        channel,
        { topic, subscribed: effective === 'topic-on' },
        deps.now(),
      );
      // Past the topics a profile keeps opted out of, the channel was opted out instead: said and logged.
      if (outcome.noProfile) return NO_PROFILE;
      if (outcome.notNewer) return CHANGED_MEANWHILE;
      if (outcome.channelInstead !== undefined) {
        logger.warn('topic opt-out applied to the whole channel', {
          channel,
          reason: outcome.channelInstead,
        });
        return `You are unsubscribed from all marketing ${channel}.`;
      }
      return effective === 'topic-on'
        ? `You are subscribed to ${topic} again.`
        : `You are unsubscribed from ${topic}.`;
    }
    case 'channel-off': {
      const outcome = await deps.profiles.setConsent(
        userId,
        channel,
        { status: 'unsubscribed', reason },
        deps.now(),
      );
      return outcome.noProfile ? NO_PROFILE : `You are unsubscribed from all marketing ${channel}.`;
    }
    case 'channel-on':
      break;
  }
  const outcome = await deps.profiles.setConsent(
    userId,
    channel,
    { status: 'subscribed', reason },
    deps.now(),
  );
  if (outcome.noProfile) return NO_PROFILE;
  if (outcome.notNewer) return CHANGED_MEANWHILE;
  // The wish is recorded, but a bounce or complaint keeps the address suppressed: say so.
  if (await isSuppressed(await deps.profiles.get(userId), channel)) return suppressedNotice(channel);
  return `You are subscribed to ${channel} again.`;
}

/** Why a link does not offer to turn messages back on (opting out never expires). */
function resubscribeRefused(claim: UnsubscribeClaim): string {
  const why =
    claim.i === undefined
      ? 'This link can only unsubscribe.'
      : `This link can no longer turn messages back on: it is more than ${RESUBSCRIBE_WITHIN_DAYS} days old.`;
  return `${why} To subscribe again, use the link in a newer message or contact us. Unsubscribing from this link still works.`;
}

/** An opt-in that found a change of the same moment or later kept (consent-order.ts): the page shows where things stand. */
const CHANGED_MEANWHILE = 'Your preferences changed at the same moment: nothing changed. Choose again below.';

/** What a link of a customer no longer kept (erased) says: nothing is stored, so nothing can be sent. */
const NO_PROFILE = 'We keep no preferences for you any more, and send you no messages.';

/**
 * Whether a send on the channel would be refused as suppressed: the profile's
 * suppression, or one recorded for another spelling of the address that stops
 * the one a message would go to (an SMS number is read as the provider is
 * given it; libphonenumber-js is loaded only then).
 */
async function isSuppressed(state: ProfileState, channel: Channel): Promise<boolean> {
  if (state.profile.consent[channel]?.status === 'suppressed') return true;
  if (state.otherSpellingSuppressions?.[channel] === undefined) return false;
  const address = addressOf(state.profile, channel);
  if (address?.channel !== 'sms') return (await suppressedAsDelivered(state, address)) !== undefined;
  const { deliverable, phoneSpellings } = await import('#shared/delivery/phone.ts');
  const usable = deliverable(address, state.profile);
  if (!usable.ok) return false;
  const spellings = async (phone: string) => phoneSpellings(phone);
  return (await suppressedAsDelivered(state, usable.address, spellings)) !== undefined;
}

async function state(deps: UnsubscribeDeps, claim: UnsubscribeClaim, notice?: string) {
  const found = await deps.profiles.find(claim.u);
  if (found === undefined) return noProfilePage();
  const { profile } = found;
  const consent = profile.consent[claim.c];
  const suppressed = await isSuppressed(found, claim.c);
  return preferencesPage({
    channel: claim.c,
    topic: claim.t,
    channelOn: consent?.status !== 'unsubscribed' && !suppressed,
    suppressed,
    topicOn: claim.t === undefined ? undefined : consent?.topics?.[claim.t] !== false,
    resubscribe: mayResubscribe(claim, deps.now()) ? 'offered' : resubscribeRefused(claim),
    notice,
  });
}

/** The link's claim under any key it may be signed with, reading the keys again once if the kept ones refuse it. */
async function verified(deps: UnsubscribeDeps, token: string): Promise<UnsubscribeClaim | undefined> {
  const check = (keys: readonly string[]) =>
    keys.map((key) => verifyUnsubscribe(key, token)).find((claim) => claim !== undefined);
  const claim = check(await deps.keys.keys());
  if (claim !== undefined || token === '') return claim;
  // Signed with a key this container has not read yet (the secret was rotated since)?
  const fresh = await deps.keys.reload();
  return fresh === undefined ? undefined : check(fresh);
}

export async function handleUnsubscribe(deps: UnsubscribeDeps, request: WebRequest): Promise<WebResponse> {
  const claim = await verified(deps, request.query.get('t') ?? '');
  if (claim === undefined) return html(400, invalidLinkPage());
  if (request.method === 'GET' || request.method === 'HEAD') return html(200, await state(deps, claim));
  if (request.method !== 'POST') return text(405, '', { allow: 'GET, HEAD, POST' });
  if (request.body.length > MAX_FORM_CHARS) return text(413, 'Request too large');
  const action = actionOf(request.body, claim);
  if (action === undefined) return html(400, await state(deps, claim, 'Choose one of the buttons below.'));
  if ((action === 'channel-on' || action === 'topic-on') && !mayResubscribe(claim, deps.now()))
    return html(403, await state(deps, claim, resubscribeRefused(claim)));
  const notice = await apply(deps, claim, action);
  if (action === 'one-click') return text(200, notice);
  return html(200, await state(deps, claim, notice));
}
