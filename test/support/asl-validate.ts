import { createRequire } from 'node:module';
import { z } from 'zod';

/** What asl-validator reports (the package ships no type declarations). */
const Report = z.object({
  isValid: z.boolean(),
  errors: z.array(z.unknown()),
  errorsText: z.custom<(separator?: string) => string>((value) => typeof value === 'function'),
});

const load = createRequire(import.meta.url);
const validator: unknown = load('asl-validator');

/**
 * Validates an ASL definition with asl-validator. It mutates its argument,
 * so it gets a structured clone.
 */
export function validateAsl(definition: unknown): { isValid: boolean; errorsText: string } {
  if (typeof validator !== 'function') throw new Error('asl-validator did not export a function');
  const report = Report.parse(validator(structuredClone(definition)));
  return { isValid: report.isValid, errorsText: report.errorsText('\n') };
}
