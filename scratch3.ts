import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readSettings } from './infra/constructs/settings.ts';
import { JourneysStack } from './infra/journeys-stack.ts';
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new JourneysStack(app, 'Journeys', { settings: readSettings(() => undefined), projectRoot: '/tmp/h6root' });
const t = Template.fromStack(stack).toJSON();
for (const [id, r] of Object.entries<any>(t.Resources)) if (['AWS::IAM::Policy','AWS::IAM::Role','AWS::Events::Rule','AWS::Lambda::Function'].includes(r.Type) && !id.startsWith('Custom')) console.log(id, JSON.stringify(r.Properties));
console.log(Object.entries<any>(t.Resources).map(([id, r]) => `${r.Type} ${id}`).join('\n'));
