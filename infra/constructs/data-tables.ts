import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  DELIVERIES_TABLE,
  ENROLLMENTS_TABLE,
  JOURNEYS_TABLE,
  type KeyAttribute,
  PROFILES_TABLE,
  STATS_TABLE,
  type TableDefinition,
} from '#shared/tables.ts';

const attribute = (key: KeyAttribute) => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * The tables of `shared/tables.ts`: on demand, point-in-time recovery,
 * encrypted with an AWS-managed key, TTL where items expire, and deletion
 * protection unless the stack is told not to keep its data.
 */
export class DataTables extends Construct {
  readonly profiles: Table;
  readonly journeys: Table;
  readonly deliveries: Table;
  readonly stats: Table;
  readonly enrollments: Table;

  constructor(scope: Construct, id: string, props: { retainData: boolean }) {
    super(scope, id);
    const table = (definition: TableDefinition, name: string) =>
      new Table(this, name, {
        partitionKey: attribute(definition.partitionKey),
        ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
        ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: TableEncryption.AWS_MANAGED,
        deletionProtection: props.retainData,
        removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
    this.profiles = table(PROFILES_TABLE, 'Profiles');
    this.journeys = table(JOURNEYS_TABLE, 'Journeys');
    this.deliveries = table(DELIVERIES_TABLE, 'Deliveries');
    this.stats = table(STATS_TABLE, 'Stats');
    this.enrollments = table(ENROLLMENTS_TABLE, 'Enrollments');
  }
}
