import { grouped, variantLabel } from './format.ts';
import { reasonLabel } from './reasons.ts';
import type { StepVariants, VariantMessagesSection } from './variant-messages.ts';

/** Deferrals by reason, as a marketer reads them ("—": none). */
function deferredText(deferred: Record<string, number>): string {
  const reasons = Object.entries(deferred).filter(([, n]) => n > 0);
  if (reasons.length === 0) return '—';
  return reasons.map(([reason, n]) => `${reasonLabel(reason)} ${grouped(n)}`).join(', ');
}

const COLUMNS = ['sent', 'email', 'sms', 'push'] as const;

/** A split's variants' messages over every step counted by it: sent, of those per channel, failed, deferred. */
export function splitMessagesText(section: VariantMessagesSection): string[] {
  const out = [
    `Messages per variant of "${section.split}"`,
    `  ${'variant'.padEnd(19)}${COLUMNS.map((c) => c.padStart(7)).join('')}${'failed'.padStart(8)}  deferred`,
  ];
  for (const { messages: m, ...v } of section.variants) {
    const counts = [m.sent, m.channels.email, m.channels.sms, m.channels.push];
    out.push(
      `  ${variantLabel(v.variant, v).padEnd(19)}${counts.map((n) => grouped(n).padStart(7)).join('')}${grouped(m.failed).padStart(8)}  ${deferredText(m.deferred)}`,
    );
  }
  return [...out, ''];
}

/** A shared step's messages per variant, on one line. */
export function stepVariantsText(variants: StepVariants): string {
  const each = variants.messages.map((m) => {
    const deferred = Object.values(m.deferred).reduce((n, x) => n + x, 0);
    const why = deferred > 0 ? ` (${deferredText(m.deferred)})` : '';
    return `${m.variant} sent ${grouped(m.sent)}, failed ${grouped(m.failed)}, deferred ${grouped(deferred)}${why}`;
  });
  return `by variant of "${variants.split}": ${each.join('; ')}`;
}

/** Every split's messages per variant, each followed by the steps its variants share, a line each; a blank line between splits. */
export function variantMessagesText(sections: readonly VariantMessagesSection[]): string[] {
  return sections.flatMap((section, i) => [
    ...(i === 0 ? [] : ['']),
    ...splitMessagesText(section).slice(0, -1),
    ...section.steps.map((s) => `  step "${s.step}" ${stepVariantsText(s)}`),
  ]);
}
