import { isPlaceholderTemplate } from '../../template-placeholder.ts';
import { type Violation, violation } from '../violations.ts';
import type { CheckContext } from './context.ts';

/**
 * A message step whose template is still the placeholder an import wrote:
 * deploying it would send the placeholder's text to customers.
 */
export function checkPlaceholderTemplates({ steps, templateBodies }: CheckContext): Violation[] {
  if (templateBodies === undefined) return [];
  const out: Violation[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (step.type !== 'email' && step.type !== 'sms' && step.type !== 'push') continue;
    const template = templateBodies.get(step.template);
    if (template === undefined || !isPlaceholderTemplate(template)) continue;
    out.push(
      violation(
        ['steps', id, 'template'],
        'template.placeholder',
        `Template "${step.template}" is still the placeholder journeys import-pinpoint wrote; customers would receive its text. Write the message in templates/${step.template}.json, or export the Pinpoint template (aws pinpoint get-${step.type}-template) and import again with --template-exports.`,
      ),
    );
  }
  return out;
}
