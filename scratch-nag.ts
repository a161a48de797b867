import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSettings } from './infra/constructs/settings.ts';
import { JourneysStack } from './infra/journeys-stack.ts';
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
new JourneysStack(app, 'Journeys', { settings: readSettings(() => undefined), projectRoot: '/tmp/h6root' });
const report = new AwsSolutionsChecks().validateScope(app);
console.log(JSON.stringify(report, null, 1).slice(0, 20000));
