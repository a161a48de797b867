import { terminalLine, terminalText } from '../runtime/terminal-text.ts';
import type { ScenarioResult } from './run-scenario.ts';

/** Whether every expectation of every scenario held. */
export function passed(results: readonly ScenarioResult[]): boolean {
  return results.every((r) => r.error === undefined && r.verdicts.every((v) => v.ok));
}

type Paint = (style: 'green' | 'red' | 'dim' | 'bold', text: string) => string;

/** The readable report: each scenario and expectation, with what happened instead and the timeline on failure. */
export function textReport(results: readonly ScenarioResult[], paint: Paint): string {
  const out: string[] = [];
  let file = '';
  for (const r of results) {
    if (r.file !== file) {
      file = r.file;
      out.push('', paint('bold', terminalLine(file)));
    }
    const ok = r.error === undefined && r.verdicts.every((v) => v.ok);
    out.push(
      `  ${ok ? paint('green', '✓') : paint('red', '✗')} ${terminalLine(r.name)} ${paint('dim', `(${(r.wallMs / 1000).toFixed(1)} s)`)}`,
    );
    if (r.error !== undefined) {
      const [first = '', ...more] = terminalText(r.error).split('\n');
      out.push(`      ${paint('red', `could not run: ${first}`)}`);
      for (const line of more) out.push(`          ${paint('red', line)}`);
    }
    for (const v of r.verdicts) {
      out.push(`      ${v.ok ? paint('green', '✓') : paint('red', '✗')} ${terminalLine(v.title)}`);
      if (!v.ok && v.actual !== undefined)
        for (const line of terminalText(v.actual).split('\n')) out.push(`          ${paint('red', line)}`);
    }
    for (const [user, { zone, lines }] of r.timelines) {
      out.push(
        `      ${paint('bold', `timeline of ${terminalLine(user)}`)} ${paint('dim', `(times in ${terminalLine(zone)})`)}`,
      );
      for (const line of lines.length === 0 ? ['(nothing happened)'] : lines)
        out.push(`          ${terminalLine(line)}`);
    }
  }
  const expectations = results.reduce((n, r) => n + r.verdicts.length, 0);
  const failed = results.reduce((n, r) => n + r.verdicts.filter((v) => !v.ok).length, 0);
  // A scenario that could not run has no verdicts: counted on its own, so the figures add up.
  const notRun = results.filter((r) => r.error !== undefined).length;
  const problems = [
    failed > 0 ? `${failed} failed` : '',
    notRun > 0 ? `${notRun} scenario(s) could not run` : '',
  ]
    .filter(Boolean)
    .join(', ');
  out.push(
    '',
    `${results.length} scenario(s), ${expectations} expectation(s): ${problems === '' ? paint('green', 'all passed') : paint('red', problems)}`,
  );
  return `${out.join('\n')}\n`;
}

/** JUnit XML for CI: a test suite per scenario file, a test case per expectation. */
export function junitReport(results: readonly ScenarioResult[]): string {
  const files = new Map<string, ScenarioResult[]>();
  for (const r of results) files.set(r.file, [...(files.get(r.file) ?? []), r]);
  const suites: string[] = [];
  for (const [file, rs] of files) {
    const cases: string[] = [];
    let failures = 0;
    for (const r of rs) {
      const timeline = [...r.timelines]
        .map(([u, { zone, lines }]) => `timeline of ${u} (times in ${zone}):\n${lines.join('\n')}`)
        .join('\n');
      if (r.error !== undefined) {
        failures += 1;
        cases.push(
          `    <testcase classname="${xml(r.name)}" name="runs"><failure message="${xml(r.error)}"/></testcase>`,
        );
      }
      for (const v of r.verdicts) {
        const head = `    <testcase classname="${xml(r.name)}" name="${xml(v.title)}" time="${(r.wallMs / 1000 / Math.max(1, r.verdicts.length)).toFixed(3)}"`;
        if (v.ok) {
          cases.push(`${head}/>`);
          continue;
        }
        failures += 1;
        cases.push(
          `${head}><failure message="${xml(v.actual ?? 'failed')}">${xml(`${v.actual ?? ''}\n${timeline}`)}</failure></testcase>`,
        );
      }
    }
    const tests = rs.reduce((n, r) => n + r.verdicts.length + (r.error ? 1 : 0), 0);
    suites.push(
      `  <testsuite name="${xml(file)}" tests="${tests}" failures="${failures}">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}

/**
 * Characters no XML 1.0 document may hold, not even as a character reference:
 * C0 controls but tab, line feed and carriage return, U+FFFE, U+FFFF, and a
 * surrogate without its pair. A CI parser refuses the whole report over one.
 */
const NOT_XML_CHAR =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text as XML character data or an attribute value: markup escaped, and a character XML cannot hold written as its `\uXXXX` escape. */
function xml(text: string): string {
  return text
    .replace(NOT_XML_CHAR, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
