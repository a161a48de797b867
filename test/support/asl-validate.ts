import { createRequire } from 'node:module';
import { z } from 'zod';
import { maskInheritedFieldNames } from '#infra/local/services/stepfunctions/runner/runner-validate.ts';
import { cacheSchemaCheck } from '#infra/local/services/stepfunctions/runner/schema-check.ts';

/** What asl-validator reports (the package ships no type declarations). */
const Report = z.object({
  isValid: z.boolean(),
  errors: z.array(z.unknown()),
  errorsText: z.custom<(separator?: string) => string>((value) => typeof value === 'function'),
});

const load = createRequire(import.meta.url);
// Its JSON Schema compiled once per process, not at every call (schema-check.ts).
cacheSchemaCheck(load.resolve('asl-validator'));
const validator: unknown = load('asl-validator');

/**
 * Validates an ASL definition with asl-validator. It mutates its argument,
 * so it gets a structured clone; payload-template fields named like
 * `Object.prototype` members are renamed first, which asl-validator would
 * otherwise count as duplicates (see maskInheritedFieldNames).
 */
export function validateAsl(definition: unknown): { isValid: boolean; errorsText: string } {
  if (typeof validator !== 'function') throw new Error('asl-validator did not export a function');
  const report = Report.parse(validator(structuredClone(maskInheritedFieldNames(definition))));
  return { isValid: report.isValid, errorsText: report.errorsText('\n') };
}
