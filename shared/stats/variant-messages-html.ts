import { escapeHtml, grouped } from './format.ts';
import { reasonLabel } from './reasons.ts';
import type { JourneyReport } from './report.ts';
import type { MessageCounts } from './variant-messages.ts';

function deferredHtml(deferred: Record<string, number>): string {
  const reasons = Object.entries(deferred).filter(([, n]) => n > 0);
  if (reasons.length === 0) return '—';
  return reasons.map(([reason, n]) => `${escapeHtml(reasonLabel(reason))} ${grouped(n)}`).join(', ');
}

function row(name: string, m: MessageCounts): string {
  return `<tr data-variant="${escapeHtml(name)}"><th>${escapeHtml(name)}</th>
<td class="n" data-field="sent">${grouped(m.sent)}</td><td class="n" data-field="failed">${grouped(m.failed)}</td>
<td data-field="deferred">${deferredHtml(m.deferred)}</td></tr>`;
}

const HEAD =
  '<thead><tr><th>variant</th><th>sent</th><th>failed</th><th>deferred, by reason</th></tr></thead>';

/**
 * Messages per variant: for each split, its variants' sends at every step counted by it, and each
 * step more than one variant reaches, per variant. Nothing when no send was counted per variant.
 */
export function variantMessagesHtml(r: JourneyReport): string {
  const parts: string[] = [];
  for (const split of r.splits) {
    if (split.variants.every((v) => v.messages === undefined)) continue;
    const rows = split.variants.map((v) => row(v.name, v.messages ?? { sent: 0, failed: 0, deferred: {} }));
    parts.push(`<h3>After split “${escapeHtml(split.stepId)}”</h3>
<table class="variants" data-messages="${escapeHtml(split.stepId)}">${HEAD}<tbody>${rows.join('\n')}</tbody></table>`);
    for (const step of r.steps) {
      if (step.variants?.split !== split.stepId) continue;
      const stepRows = step.variants.messages.map((m) => row(m.variant, m));
      parts.push(`<h4>Step “${escapeHtml(step.stepId)}”, which several variants reach</h4>
<table class="variants" data-step-messages="${escapeHtml(step.stepId)}">${HEAD}<tbody>${stepRows.join('\n')}</tbody></table>`);
    }
  }
  if (parts.length === 0) return '';
  return `<h2>Messages per variant</h2>
<p class="note">Sent, failed and deferred (each attempt put off, by reason), by the variant each customer was assigned at the split before the step.</p>
${parts.join('\n')}`;
}
