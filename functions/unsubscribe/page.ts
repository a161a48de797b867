import type { Channel } from '#shared/channels.ts';

/**
 * The preference page behind an unsubscribe link: minimal HTML, no script,
 * every value escaped. Forms post back to the same signed URL.
 */
export type PageState = {
  channel: Channel;
  topic?: string;
  channelOn: boolean;
  /** The address bounced or its owner complained: messages stay off whatever the preferences say. */
  suppressed?: boolean;
  topicOn?: boolean;
  /** `offered`: the link is recent enough to turn messages back on; else why it is not (shown in place of the button). */
  resubscribe: 'offered' | string;
  notice?: string;
};

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

function button(action: string, label: string): string {
  return `<form method="post"><input type="hidden" name="action" value="${action}"><button type="submit">${escapeHtml(label)}</button></form>`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2937}form{display:inline-block;margin:.25rem .5rem .25rem 0}button{padding:.5rem 1rem}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** A resubscribe button, or (a link too old to turn messages back on) why there is none; said once. */
function resubscribeButton(state: PageState, action: string, label: string): string {
  if (state.resubscribe === 'offered') return button(action, label);
  return state.notice === state.resubscribe ? '' : `<p>${escapeHtml(state.resubscribe)}</p>`;
}

export function preferencesPage(state: PageState): string {
  const parts: string[] = [];
  if (state.notice !== undefined) parts.push(`<p><strong>${escapeHtml(state.notice)}</strong></p>`);
  if (state.topic !== undefined) {
    const topic = escapeHtml(state.topic);
    parts.push(
      `<p>“${topic}” ${state.channel} messages: ${state.topicOn === false ? 'off' : 'on'}.</p>`,
      state.topicOn === false
        ? resubscribeButton(state, 'topic-on', `Resubscribe to ${state.topic}`)
        : button('topic-off', `Unsubscribe from ${state.topic}`),
    );
  }
  if (state.suppressed === true)
    parts.push(
      `<p>All marketing ${state.channel} messages: off. ${escapeHtml(suppressedNotice(state.channel))}</p>`,
    );
  else
    parts.push(
      `<p>All marketing ${state.channel} messages: ${state.channelOn ? 'on' : 'off'}.</p>`,
      state.channelOn
        ? button('channel-off', `Unsubscribe from all ${state.channel}`)
        : resubscribeButton(state, 'channel-on', `Resubscribe to ${state.channel}`),
    );
  return page('Your message preferences', parts.join(''));
}

/** Why a suppressed channel stays off: a resubscribe cannot lift a bounce or a complaint. */
export function suppressedNotice(channel: PageState['channel']): string {
  const what = channel === 'email' ? 'this address' : channel === 'sms' ? 'this number' : 'this device';
  return `Messages to ${what} stay off: an earlier message could not be delivered or was reported as spam. Please contact us to turn ${channel} back on.`;
}

export function invalidLinkPage(): string {
  return page(
    'This link is not valid',
    '<p>The link is incomplete or was changed. Please use the link from your latest message.</p>',
  );
}

/** The page of a link whose customer is no longer kept (erased): no preferences, no buttons. */
export function noProfilePage(): string {
  return page(
    'Your message preferences',
    '<p>We keep no preferences for you any more, and send you no messages.</p>',
  );
}
