import { App, ArnFormat, Stack, CfnResource } from 'aws-cdk-lib';
import { NagRules } from 'cdk-nag';
import { Bucket } from 'aws-cdk-lib/aws-s3';
const app = new App();
const stack = new Stack(app, 'S', { env: { region: 'eu-west-1' } });
const b = new Bucket(stack, 'B');
const cfn = b.node.defaultChild as CfnResource;
console.log(NagRules.resolveResourceFromIntrinsic(cfn, stack.resolve(stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: 'journey-*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }))));
console.log(NagRules.resolveResourceFromIntrinsic(cfn, stack.resolve(b.arnForObjects('journeys/*'))));
