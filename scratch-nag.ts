import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSettings } from './infra/constructs/settings.ts';
import { JourneysStack } from './infra/journeys-stack.ts';
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
new JourneysStack(app, 'Journeys', { settings: readSettings(() => undefined), projectRoot: '/tmp/h6root' });
const report = new AwsSolutionsChecks().validateScope(app);
for (const v of report.violations) console.log(v.ruleName, '\n   ', v.violatingResources.map((r) => r.constructPath).join('\n    '));
