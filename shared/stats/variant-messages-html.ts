import { escapeHtml, grouped, variantLabel } from './format.ts';
import { reasonLabel } from './reasons.ts';
import type { MessageCounts, VariantMessagesSection } from './variant-messages.ts';

function deferredHtml(deferred: Record<string, number>): string {
  const reasons = Object.entries(deferred).filter(([, n]) => n > 0);
  if (reasons.length === 0) return '—';
  return reasons.map(([reason, n]) => `${escapeHtml(reasonLabel(reason))} ${grouped(n)}`).join(', ');
}

function row(name: string, label: string, m: MessageCounts, channels: boolean): string {
  const perChannel = channels
    ? (['email', 'sms', 'push'] as const)
        .map((c) => `<td class="n" data-field="${c}">${grouped(m.channels[c])}</td>`)
        .join('')
    : '';
  return `<tr data-variant="${escapeHtml(name)}"><th>${escapeHtml(label)}</th>
<td class="n" data-field="sent">${grouped(m.sent)}</td>${perChannel}<td class="n" data-field="failed">${grouped(m.failed)}</td>
<td data-field="deferred">${deferredHtml(m.deferred)}</td></tr>`;
}

const head = (channels: boolean) =>
  `<thead><tr><th>variant</th><th>sent</th>${channels ? '<th>email</th><th>SMS</th><th>push</th>' : ''}<th>failed</th><th>deferred, by reason</th></tr></thead>`;

/**
 * Messages per variant: for each split, its variants' sends at every step counted by it (and of
 * those, per channel), and each step more than one variant reaches, per variant. Nothing when no
 * send was counted per variant.
 */
export function variantMessagesHtml(sections: readonly VariantMessagesSection[]): string {
  const parts: string[] = [];
  for (const section of sections) {
    const rows = section.variants.map((v) => row(v.variant, variantLabel(v.variant, v), v.messages, true));
    parts.push(`<h3>After split “${escapeHtml(section.split)}”</h3>
<table class="variants" data-messages="${escapeHtml(section.split)}">${head(true)}<tbody>${rows.join('\n')}</tbody></table>`);
    for (const step of section.steps) {
      const stepRows = step.messages.map((m) => row(m.variant, m.variant, m, false));
      parts.push(`<h4>Step “${escapeHtml(step.step)}”, which several variants reach</h4>
<table class="variants" data-step-messages="${escapeHtml(step.step)}">${head(false)}<tbody>${stepRows.join('\n')}</tbody></table>`);
    }
  }
  if (parts.length === 0) return '';
  return `<h2>Messages per variant</h2>
<p class="note">Sent (in all and per channel), failed and deferred (each attempt put off, by reason), by the variant each customer was assigned at the split before the step.</p>
${parts.join('\n')}`;
}
