import { Stack, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { CfnApp } from 'aws-cdk-lib/aws-pinpoint';
import {
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  type IConfigurationSet,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface MessagingProps {
  /** SES publishes sending events to the account's default bus only. */
  readonly defaultBus: IEventBus;
  /**
   * An existing SES configuration set (a platform team's, with its own event
   * destinations); when absent one is created. It must publish its sending
   * events to the default bus for bounces, complaints and opens to be seen.
   */
  readonly configurationSetName?: string;
  /** An existing End User Messaging (Pinpoint) application; when absent one is created. */
  readonly pinpointApplicationId?: string;
}

/**
 * The sending side: an SES v2 configuration set whose events (sent, delivered,
 * bounced, complained, opened, clicked...) go to EventBridge, and the End User
 * Messaging application SMS and push are sent through.
 */
export class Messaging extends Construct {
  readonly configurationSet: IConfigurationSet;
  readonly pinpointApplicationId: string;

  constructor(scope: Construct, id: string, props: MessagingProps) {
    super(scope, id);
    this.configurationSet =
      props.configurationSetName === undefined
        ? this.createConfigurationSet(props.defaultBus)
        : ConfigurationSet.fromConfigurationSetName(this, 'ConfigurationSet', props.configurationSetName);
    this.pinpointApplicationId = props.pinpointApplicationId ?? this.createMobileApp().ref;
  }

  private createConfigurationSet(defaultBus: IEventBus): ConfigurationSet {
    const configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: `${Stack.of(this).stackName}-journeys`,
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(defaultBus),
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
    return configurationSet;
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
