/** A variant's row as a marketer reads it: its label, then assigned, converted and rate as printed. */
export type VariantRow = { label: string; assigned: string; converted: string; rate: string };

/** The variant rows of a text table (report or simulate), cells as printed. */
export function textRows(text: string, labels: readonly string[]): VariantRow[] {
  return labels.map((label) => {
    const line = text.split('\n').find((l) => l.trimStart().startsWith(`${label} `)) ?? '';
    const [assigned = '', converted = '', rate = ''] = line
      .trimStart()
      .slice(label.length)
      .trim()
      .split(/\s+/);
    return { label, assigned, converted, rate };
  });
}

/** The variant rows of an HTML table, cells as printed (a tag beside a name as in text: "(holdout)"). */
export function htmlRows(html: string, labels: readonly string[]): VariantRow[] {
  const rows = [...html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((tr) =>
    [...(tr[1] ?? '').matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) =>
      (cell[1] ?? '')
        .replace(/<span class="tag">([^<]*)<\/span>/g, '($1)')
        .replace(/<[^>]+>/g, '')
        .trim(),
    ),
  );
  return labels.map((label) => {
    const [, assigned = '', converted = '', rate = ''] = rows.find((r) => r[0] === label) ?? [];
    return { label, assigned, converted, rate };
  });
}
