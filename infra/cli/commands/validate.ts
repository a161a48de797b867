import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isSchemaFile } from '../files.ts';
import { duplicateIds, type FileReport, JourneyChecker, type LocatedViolation } from '../journey-files.ts';
import { paint, terminalLine } from '../output.ts';

export type ValidateOptions = { json?: boolean; templates?: string };

/** `journeys validate <files...>`: every problem of every file; exit 1 on any. */
export async function validateCommand(files: string[], options: ValidateOptions): Promise<void> {
  const checker = new JourneyChecker(options.templates);
  const reports: FileReport[] = [];
  for (const file of files.flatMap(journeyFilesOf)) {
    if (isSchemaFile(file)) continue;
    const report = isFolder(file) ? emptyFolder(file) : await checker.check(file);
    reports.push(report);
    if (!options.json) printViolations(report);
  }
  for (const [id, dupes] of duplicateIds(reports)) {
    for (const report of reports.filter((r) => dupes.includes(r.file))) {
      const others = dupes.filter((f) => f !== report.file).join(', ');
      const problem = {
        path: 'id',
        code: 'schema.invalid' as const,
        message: `Journey id "${id}" is also used by ${others}.`,
      };
      report.violations.push(problem);
      if (!options.json) printViolations({ file: report.file, violations: [problem] });
    }
  }
  const templateProblems = checker.templateProblems;
  const failed = reports.some((r) => r.violations.length > 0) || templateProblems.length > 0;
  if (options.json) {
    const out = {
      ok: !failed,
      files: reports.map((r) => ({
        file: r.file,
        ok: r.violations.length === 0,
        id: r.journey?.id,
        violations: r.violations,
        warnings: r.warnings ?? [],
        notes: r.notes ?? [],
      })),
      templates: templateProblems,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    for (const problem of templateProblems)
      process.stdout.write(
        `${paint('red', '✖')} ${terminalLine(problem.file)}: ${terminalLine(problem.message)}\n`,
      );
    const bad = reports.filter((r) => r.violations.length > 0).length;
    const summary = `${reports.length} journey file${reports.length === 1 ? '' : 's'} checked, ${bad} with problems`;
    process.stdout.write(`\n${failed ? paint('red', summary) : paint('green', summary)}\n`);
  }
  if (failed) process.exitCode = 1;
}

/**
 * The journey files an argument names: a file itself, or a folder's
 * `<id>.json` files, as a deploy of that folder reads them (not its
 * subfolders, such as templates/ and tests/), in name order. A folder with
 * none stays as given, to be named as a folder.
 */
function journeyFilesOf(path: string): string[] {
  let names: string[];
  try {
    if (!statSync(path).isDirectory()) return [path];
    names = readdirSync(path, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json') && !isSchemaFile(entry.name))
      .map((entry) => entry.name);
  } catch {
    // Not there, or not readable: the check names it.
    return [path];
  }
  return names.length === 0 ? [path] : names.sort().map((name) => join(path, name));
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A folder given with no journey file in it: named, so a mistyped folder never passes as checked. */
function emptyFolder(file: string): FileReport {
  return {
    file,
    violations: [
      { path: '(file)', code: 'json.invalid', message: 'is a folder with no journey file (<id>.json) in it' },
    ],
  };
}

/** Prints one file's outcome: a tick, or every violation with its path; then its warnings. */
export function printViolations(report: FileReport): void {
  const warnings = report.warnings ?? [];
  if (report.violations.length === 0) {
    const journey = report.journey;
    const detail =
      journey === undefined
        ? ''
        : ` ${terminalLine(journey.name)} (${Object.keys(journey.steps).length} steps)`;
    process.stdout.write(`${paint('green', '✔')} ${terminalLine(report.file)}${paint('dim', detail)}\n`);
    for (const note of report.notes ?? []) process.stdout.write(`    ${paint('dim', terminalLine(note))}\n`);
  } else {
    const count = report.violations.length;
    process.stdout.write(
      `${paint('red', '✖')} ${terminalLine(report.file)}: ${count} problem${count === 1 ? '' : 's'}\n`,
    );
    printList(report.violations);
  }
  if (warnings.length === 0) return;
  const count = warnings.length;
  process.stdout.write(`  ${paint('yellow', '⚠')} ${count} warning${count === 1 ? '' : 's'}\n`);
  printList(warnings);
}

function printList(violations: readonly LocatedViolation[]): void {
  // Text from the file (ids, values, names) is printed with its control characters escaped: it cannot drive the terminal.
  const width = Math.min(48, Math.max(...violations.map((v) => terminalLine(v.path).length)));
  const where = (v: LocatedViolation) => (v.line === undefined ? '' : `${v.line}:${v.column}`);
  const whereWidth = Math.max(...violations.map((v) => where(v).length));
  for (const v of violations) {
    // line:column first, as compilers print it: editors and terminals jump there.
    const at = whereWidth === 0 ? '' : `${paint('dim', where(v).padEnd(whereWidth))}  `;
    process.stdout.write(
      `    ${at}${paint('yellow', terminalLine(v.path).padEnd(width))}  ${terminalLine(v.message)} ${paint('dim', `[${v.code}]`)}\n`,
    );
  }
}
