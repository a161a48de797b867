import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSettings } from './constructs/settings.ts';
import { JourneysStack } from './journeys-stack.ts';

/**
 * The CDK app (`cdk.json` runs it with tsx). Settings come from context; the
 * AWS Solutions checks run at synth and stop it on any unacknowledged finding.
 * The stack is environment-agnostic: it deploys to the account and region of
 * the credentials `cdk deploy` runs with.
 */
const app = new App();
const settings = readSettings((key) => app.node.tryGetContext(key));
const stackName = String(app.node.tryGetContext('stackName') ?? 'Journeys');

new JourneysStack(app, stackName, {
  settings,
  description:
    'Journeys: customer journey orchestration (EventBridge, Lambda, DynamoDB, Step Functions, SES)',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
