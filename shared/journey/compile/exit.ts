import type { StepOf } from '../schema.ts';
import { compact, type StepRenderer } from './context.ts';

/**
 * exit: the terminal state. A Pass that ends the execution costs the same one
 * transition as a Succeed, and leaves `$.exit = { stepId, reason }` in the
 * execution output.
 */
export const renderExit: StepRenderer<StepOf<'exit'>> = (id, step) => [
  [
    id,
    {
      Type: 'Pass',
      ...(step.label === undefined ? {} : { Comment: step.label }),
      Result: compact({ stepId: id, reason: step.reason }),
      ResultPath: '$.exit',
      End: true,
    },
  ],
];
