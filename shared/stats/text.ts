import { engagementText } from './engagement.ts';
import { experimentLine } from './experiment-report.ts';
import { failureKind } from './failures.ts';
import {
  amount,
  edgeShares,
  enteredHere,
  everyDay,
  expiredNote,
  grouped,
  interval,
  NO_SPLIT,
  OUTCOME_LABELS,
  percent,
  pValue,
  SKIP_LABELS,
  signedPercent,
  splitMethods,
  unknownStartNote,
  variantLabel,
} from './format.ts';
import { OUTCOMES } from './keys.ts';
import { reasonLabel } from './reasons.ts';
import type { JourneyReport } from './report.ts';
import { variantMessageSections } from './variant-messages.ts';
import { splitMessagesText, stepVariantsText } from './variant-messages-text.ts';

/** The report as plain text for a terminal. */
export function reportText(r: JourneyReport): string {
  const out: string[] = [];
  out.push(`${r.name} (${r.journeyId}) — versions ${r.versions.join(', ') || 'none yet'}`, '');
  const expired = expiredNote(r);
  if (expired !== undefined) out.push(expired, '');
  const unknownStart = unknownStartNote(r);
  if (unknownStart !== undefined) out.push(unknownStart, '');
  out.push(
    r.goal
      ? `Enrolled ${grouped(r.enrolled)}   converted ${grouped(r.converted)} (${percent(r.rate?.value)}, 95% CI ${interval(r.rate)})   revenue ${amount(r.money.revenue)}   AOV ${amount(r.money.aov)}`
      : `Enrolled ${grouped(r.enrolled)}   no goal: conversions are not measured`,
  );
  const endings = OUTCOMES.map((o) => `${OUTCOME_LABELS[o]} ${grouped(r.outcomes[o])}`);
  out.push(`Outcomes  ${[...endings, `in flight ${grouped(r.inFlight)}`].join('   ')}`);
  // Entries an entry limit kept out are shown only when there are some.
  if (Object.values(r.skipped).some((n) => n > 0))
    out.push(
      `Entry skipped  ${SKIP_LABELS.map(([reason, label]) => `${label} ${grouped(r.skipped[reason])}`).join('   ')}`,
    );
  out.push('');
  if (r.splits.length === 0) out.push(NO_SPLIT, '');
  const messages = variantMessageSections(r.splits, r.steps);
  for (const split of r.splits) {
    out.push(`Variants of "${split.stepId}" (${splitMethods(split.variants)})`);
    out.push(
      `  ${'variant'.padEnd(19)}${'assigned'.padStart(9)}${'conv'.padStart(7)}  ${'rate'.padEnd(7)} ${'95% CI'.padEnd(13)} ${'lift'.padStart(8)}  ${'p'.padStart(8)}  ${'revenue'.padStart(9)} ${'AOV'.padStart(8)} ${'rev/cust'.padStart(8)}  verdict`,
    );
    for (const v of split.variants) {
      out.push(
        `  ${variantLabel(v.name, v).padEnd(19)}${grouped(v.assigned).padStart(9)}${grouped(v.converted).padStart(7)}  ${percent(v.rate?.value).padEnd(7)} ${interval(v.rate).padEnd(13)} ${signedPercent(v.vsHoldout?.lift).padStart(8)}  ${pValue(v.vsHoldout?.p).padStart(8)}  ${amount(v.money.revenue).padStart(9)} ${amount(v.money.aov).padStart(8)} ${amount(v.money.perRecipient).padStart(8)}  ${v.holdout ? 'baseline' : (v.vsHoldout?.verdict ?? '—')}`,
      );
    }
    const experiment = r.experiments.find((e) => e.stepId === split.stepId);
    if (experiment !== undefined) out.push(`  ${experimentLine(experiment)}`);
    const section = messages.find((m) => m.split === split.stepId);
    out.push('', ...(section === undefined ? [] : splitMessagesText(section)));
  }
  out.push('Steps (stage, step, type: counts)');
  for (const s of [...r.steps].sort((a, b) => a.depth - b.depth)) {
    // Failures by kind are told below, each in words.
    const counts = Object.entries(s.counts)
      .filter(([m, n]) => n > 0 && failureKind(m) === undefined)
      .map(([m, n]) => `${m} ${grouped(n)}`)
      .join(', ');
    const reached = s.reached === undefined ? '' : `reached ${grouped(s.reached)}`;
    // A step versions began at: its entries, beside the reach its own counters tell, if any.
    const entered = enteredHere(s);
    out.push(
      `  ${s.stage.padEnd(14)} ${s.stepId.padEnd(24)} ${s.type.padEnd(13)} ${[reached, entered, counts].filter(Boolean).join('; ')}`,
    );
    for (const why of s.reasons)
      out.push(`        ${why.metric}: ${reasonLabel(why.reason)} ${grouped(why.count)}`);
    for (const f of s.failures) out.push(`        failed: ${f.label} ${grouped(f.count)}`);
    if (s.engagement !== undefined) out.push(`        engagement: ${engagementText(s.engagement)}`);
    if (s.variants !== undefined) out.push(`        ${stepVariantsText(s.variants)}`);
  }
  const shares = edgeShares(r.edges);
  if (r.edges.some((e) => e.share !== undefined)) {
    out.push('', 'Paths taken');
    for (const [i, e] of r.edges.entries())
      if (e.share !== undefined)
        out.push(`  ${e.from} → ${e.to}${e.label ? ` [${e.label}]` : ''}  ${shares[i]}`);
  }
  if (r.days.length > 0) {
    out.push('', 'Per day (UTC)       email    sms   push  conversions');
    // Every day keeps its place, as on the page's chart: a day with nothing shows zeros.
    const blank = (day: string) => ({ day, sent: { email: 0, sms: 0, push: 0 }, converted: 0 });
    for (const d of everyDay(r.days, blank)) {
      out.push(
        `  ${d.day}     ${[d.sent.email, d.sent.sms, d.sent.push, d.converted].map((n) => grouped(n).padStart(6)).join(' ')}`,
      );
    }
    const t = r.totals;
    out.push(
      `  total          ${[t.sent.email, t.sent.sms, t.sent.push, t.converted].map((n) => grouped(n).padStart(6)).join(' ')}`,
    );
  }
  return `${out.join('\n')}\n`;
}
