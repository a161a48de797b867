import { isSchemaFile } from '../files.ts';
import { duplicateIds, type FileReport, JourneyChecker, type LocatedViolation } from '../journey-files.ts';
import { paint, terminalLine } from '../output.ts';

export type ValidateOptions = { json?: boolean; templates?: string };

/** `journeys validate <files...>`: every problem of every file; exit 1 on any. */
export async function validateCommand(files: string[], options: ValidateOptions): Promise<void> {
  const checker = new JourneyChecker(options.templates);
  const reports: FileReport[] = [];
  for (const file of files) {
    if (isSchemaFile(file)) continue;
    const report = await checker.check(file);
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
