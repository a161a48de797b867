import { Stack, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { CfnApp } from 'aws-cdk-lib/aws-pinpoint';
import {
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface MessagingProps {
  /** SES publishes sending events to the account's default bus only. */
  readonly defaultBus: IEventBus;
  /** An existing End User Messaging (Pinpoint) application; when absent one is created. */
  readonly pinpointApplicationId?: string;
}

/**
 * The sending side: an SES v2 configuration set whose events (sent, delivered,
 * bounced, complained, opened, clicked...) go to EventBridge, and the End User
 * Messaging application SMS and push are sent through.
 */
export class Messaging extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly pinpointApplicationId: string;

  constructor(scope: Construct, id: string, props: MessagingProps) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: `${Stack.of(this).stackName}-journeys`,
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(props.defaultBus),
      events: [
        EmailSendingEvent.SEND,
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.DELIVERY_DELAY,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.RENDERING_FAILURE,
        EmailSendingEvent.OPEN,
        EmailSendingEvent.CLICK,
        EmailSendingEvent.SUBSCRIPTION,
      ],
    });
    this.pinpointApplicationId = props.pinpointApplicationId ?? this.createMobileApp().ref;
  }

  private createMobileApp(): CfnApp {
    const app = new CfnApp(this, 'MobileApp', { name: `${Stack.of(this).stackName}-journeys` });
    Validations.of(app).acknowledge({
      id: 'CloudFormation-Validate::W3696',
      reason:
        'Pinpoint journeys and campaigns are retired, but End User Messaging still sends SMS and push through an application.',
    });
    return app;
  }
}
