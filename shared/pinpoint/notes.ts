/** A remark about one field of the Pinpoint journey: mapped approximately, or not brought over. */
export type ImportNote = { path: string; message: string };

/** Why the input cannot be imported at all: not a Pinpoint journey, or a broken one. */
export type ImportProblem = { path: string; message: string };

/** Collects notes and problems while a journey is mapped. */
export class ImportLog {
  readonly notes: ImportNote[] = [];
  readonly problems: ImportProblem[] = [];

  note(path: string, message: string): void {
    this.notes.push({ path, message });
  }

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }
}

/** Joins path segments the way `aws pinpoint get-journey` output reads: `Activities.abc.EMAIL.NextActivity`. */
export function pathOf(...segments: readonly (string | number)[]): string {
  return segments
    .map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z0-9_-]+$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
    .join('')
    .replace(/^\./, '');
}
