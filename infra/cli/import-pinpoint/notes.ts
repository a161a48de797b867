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

/**
 * Extends a path (already formatted, such as `Activities.abc`) with keys, the way
 * `aws pinpoint get-journey` output reads: `Activities.abc.EMAIL.NextActivity`,
 * `Activities["odd id?"].Wait`, `Branches[0]`.
 */
export function pathOf(path: string, ...keys: readonly (string | number)[]): string {
  let out = path;
  for (const key of keys) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (!/^[A-Za-z0-9_-]+$/.test(key)) out += `[${JSON.stringify(key)}]`;
    else out += out === '' ? key : `.${key}`;
  }
  return out;
}
