import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readSettings } from '#infra/constructs/settings.ts';
import { JourneysStack } from '#infra/journeys-stack.ts';

/**
 * Builds the stack as `infra/app.ts` does. Bundling is skipped unless asked
 * for: template assertions need the resources, not the function code.
 */
export function synthesize(
  options: { context?: Record<string, unknown>; bundle?: boolean; outdir?: string } = {},
) {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: { ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...options.context },
  });
  const stack = new JourneysStack(app, 'Journeys', {
    settings: readSettings((key) => app.node.tryGetContext(key)),
  });
  return { app, stack, template: Template.fromStack(stack) };
}
