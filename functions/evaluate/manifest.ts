import { defineFunction } from '#functions/_lib/manifest.ts';
import { EvaluateInput } from '#shared/tasks/evaluate.ts';

export const manifest = defineFunction({
  name: 'evaluate',
  description: 'Journey task: branch decisions, computed waits and profile updates',
  bindings: { profilesTable: 'readWrite', statsTable: 'readWrite' },
  task: { input: EvaluateInput, arnVariable: 'EVALUATE_FUNCTION_ARN' },
});
