import { compile } from '#shared/journey/compile/compile.ts';
import { writeOutputFile } from '../files.ts';
import { JourneyChecker } from '../journey-files.ts';
import { fail, paint } from '../output.ts';
import { printViolations } from './validate.ts';

/** `journeys compile <file> [--out file]`: the Amazon States Language definition of a journey. */
export async function compileCommand(
  file: string,
  options: { out?: string; templates?: string },
): Promise<void> {
  const report = await new JourneyChecker(options.templates).check(file);
  if (report.journey === undefined) {
    printViolations(report);
    fail(`${file} was not compiled: fix the problems above first.`);
    return;
  }
  const text = `${JSON.stringify(compile(report.journey), null, 2)}\n`;
  if (options.out === undefined) {
    process.stdout.write(text);
    return;
  }
  await writeOutputFile(options.out, text);
  process.stderr.write(`${paint('green', '✔')} ${file} → ${options.out}\n`);
}
