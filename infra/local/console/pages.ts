import { escapeHtml as e, REPORT_STYLE } from '#shared/stats/html.ts';
import type { EmittedEvent, SentMessage } from '../inspect/sent.ts';
import type { TraceView } from '../inspect/trace-view.ts';

/**
 * The pages of the local console, as HTML strings: no script, inline CSS,
 * and every value that comes from customers, events, templates or journey
 * files escaped. An email's HTML is shown in a sandboxed frame (no script,
 * no same-origin), from an escaped `srcdoc`.
 */

const STYLE = `nav{display:flex;gap:16px;align-items:baseline;border-bottom:1px solid #e5e7eb;padding-bottom:8px;margin-bottom:16px}
nav a{color:#1d4ed8;text-decoration:none;font-weight:600}nav a.on{color:#111827}nav .now{margin-left:auto;color:#6b7280;font-size:12px}
td.when{white-space:nowrap;color:#374151}.block{border:1px solid #e5e7eb;border-radius:8px;padding:8px 14px;margin:12px 0}
iframe.mail{width:100%;height:260px;border:1px solid #e5e7eb;border-radius:6px;background:#fff}pre{white-space:pre-wrap;margin:0;font-size:12px}`;

export type Section = 'journeys' | 'customers' | 'messages';

/** A page with the console's navigation. */
export function page(title: string, section: Section, now: string, body: string): string {
  const link = (href: string, s: Section, label: string) =>
    `<a href="${href}"${s === section ? ' class="on"' : ''}>${label}</a>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(title)} — Journeys console</title><style>${REPORT_STYLE}
${STYLE}</style></head>
<body>
<nav><b>Journeys console</b>${link('/', 'journeys', 'Journeys')}${link('/customers', 'customers', 'Customers')}${link('/messages', 'messages', 'Sent messages')}<span class="now" data-now>journey time ${e(now)}</span></nav>
${body}
</body></html>
`;
}

/** A journey of the folder with its live count, or a file of it the deploy does not take, with why. */
export type JourneyRow =
  | { id: string; name: string; enrolled: number }
  | { id: string; file: string; problem: string };

export function journeysIndex(journeys: readonly JourneyRow[]): string {
  if (journeys.length === 0) return '<p>No journeys in the journeys folder.</p>';
  const rows = journeys.map((j) =>
    'problem' in j
      ? `<tr data-journey="${e(j.id)}" data-invalid><td>${e(j.file)} <span class="tag">not valid</span><p class="note" data-problem>${e(j.problem)}</p><p class="note">The deploy does not take this file: a version of the journey deployed before it runs on unchanged.</p></td><td>${e(j.id)}</td><td class="n" data-field="enrolled">—</td></tr>`
      : `<tr data-journey="${e(j.id)}"><td><a href="/journeys/${encodeURIComponent(j.id)}">${e(j.name)}</a></td><td>${e(j.id)}</td><td class="n" data-field="enrolled">${j.enrolled}</td></tr>`,
  );
  return `<h1>Journeys</h1><table><tr><th>journey</th><th>id</th><th class="n">enrolled</th></tr>${rows.join('')}</table>`;
}

/**
 * Where a customer's page is. An id that is a dot segment ("." or "..", which
 * encodeURIComponent leaves as it is) would be read by the browser as a step up
 * the path: it goes as the `id` query, which the server answers with the page.
 */
export function customerHref(id: string): string {
  const segment = encodeURIComponent(id);
  return segment === '.' || segment === '..' ? `/customers?id=${segment}` : `/customers/${segment}`;
}

export function customersIndex(ids: readonly string[], capped: boolean): string {
  const rows = ids.map(
    (id) => `<li data-customer="${e(id)}"><a href="${e(customerHref(id))}">${e(id)}</a></li>`,
  );
  return `<h1>Customers</h1>
<form action="/customers" method="get"><input name="id" placeholder="userId" aria-label="userId"> <button>Trace</button></form>
<ul>${rows.join('')}</ul>${capped ? '<p class="note">The first customers only; open one by its id.</p>' : ''}`;
}

function mailFrame(html: string): string {
  return `<iframe class="mail" sandbox="" srcdoc="${e(html)}"></iframe>`;
}

export function customerPage(view: TraceView): string {
  const blocks = view.blocks.map((b) => {
    const rows = b.lines.map((line) => {
      const m = line.message;
      const content =
        m === undefined
          ? ''
          : `<details><summary>${e(m.subject ?? m.channel)}</summary>${m.html === undefined ? `<pre>${e(m.text ?? '')}</pre>` : mailFrame(m.html)}</details>`;
      return `<tr><td class="when">${e(line.when ?? '')}</td><td data-line>${e(line.text.trim())}${content}</td></tr>`;
    });
    return `<div class="block" data-enrollment><h3>${e(b.title)}</h3><p class="note">started ${e(b.started)}</p>
<table>${rows.join('')}</table><p data-ending>ended: ${e(b.ending)}</p></div>`;
  });
  const skipped = view.skipped.map(
    (line) => `<tr><td class="when">${e(line.when ?? '')}</td><td data-skip>${e(line.text)}</td></tr>`,
  );
  return `<h1 data-customer-id>${e(view.userId)}</h1><p class="note">times in ${e(view.zone)}</p>
<ul>${view.profile.map((l) => `<li>${e(l)}</li>`).join('')}</ul>
${blocks.length === 0 ? '<p>No enrollments.</p>' : blocks.join('\n')}${skipped.length === 0 ? '' : `\n<h3>Entries skipped</h3><table>${skipped.join('')}</table>`}`;
}

export function messagesPage(sent: readonly SentMessage[], emitted: readonly EmittedEvent[]): string {
  const emails = sent.filter((m) => m.channel === 'email');
  const mobile = sent.filter((m) => m.channel !== 'email');
  const emailRows = emails.map(
    (m) =>
      `<tr data-message-id="${e(m.messageId)}"><td>${e(m.to)}</td><td data-field="subject">${e(m.subject ?? '')}</td><td><details><summary>view</summary>${m.html === undefined ? `<pre>${e(m.text ?? '')}</pre>` : mailFrame(m.html)}</details></td></tr>`,
  );
  const mobileRows = mobile.map(
    (m) =>
      `<tr data-message-id="${e(m.messageId)}"><td class="when">${e(m.at ?? '')}</td><td>${e(m.channel)}</td><td>${e(m.to)}</td><td data-field="body">${e([m.subject, m.text].filter((x) => x !== undefined).join(' — '))}</td></tr>`,
  );
  const eventRows = emitted.map(
    (x) =>
      `<tr data-event="${e(x.detailType)}"><td class="when">${e(x.at)}</td><td>${e(x.source)}</td><td>${e(x.detailType)}</td><td><pre>${e(JSON.stringify(x.detail, null, 1))}</pre></td></tr>`,
  );
  return `<h1>Sent messages</h1>
<h2>Emails (${emails.length})</h2><table><tr><th>to</th><th>subject</th><th>content</th></tr>${emailRows.join('')}</table>
<h2>SMS and push (${mobile.length})</h2><table><tr><th>at</th><th>channel</th><th>to</th><th>message</th></tr>${mobileRows.join('')}</table>
<h2>Emitted events (${emitted.length})</h2><table><tr><th>at</th><th>source</th><th>type</th><th>detail</th></tr>${eventRows.join('')}</table>`;
}
