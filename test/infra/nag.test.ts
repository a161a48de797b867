import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeConfigured } from './synth.ts';

let app: IConstruct;

beforeAll(() => {
  // Every setting changed (synth.ts CONFIGURED): a webhook connection, so the journey role's
  // connection grants are checked too; the log key; the alarm subscription.
  ({ app } = synthesizeConfigured());
});

/** Every acknowledgement recorded anywhere in the app: construct path, rule id, reason. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: unknown }[] {
  return root.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data ?? {}).map(([id, reason]) => ({ path: construct.node.path, id, reason })),
        ),
    );
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged', () => {
    // act
    const report = new AwsSolutionsChecks().validateScope(app);
    // assert: name each finding, so a failure says what to fix
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    );
    expect(findings).toEqual([]);
  });

  it('gives every acknowledgement a one-sentence reason', () => {
    const all = acknowledgements(app);
    expect(all.length).toBeGreaterThan(0);
    const unexplained = all.filter(
      ({ reason }) =>
        typeof reason !== 'string' || !/^[A-Z].{15,}[.]$/s.test(reason) || /[.!?] [A-Z]/.test(reason),
    );
    expect(unexplained).toEqual([]);
  });

  it('acknowledges Resource "*" only where the actions take no resource', () => {
    const wildcard = acknowledgements(app).filter(({ id }) => id.includes('IAM5[Resource::*]'));
    expect(wildcard.map(({ path }) => path.split('/').slice(1, -1).join('/')).sort()).toEqual(
      [
        'AwaitEvent',
        'DeliveryFeedback',
        'DeployJourney',
        'Evaluate',
        'ExecutionStatus',
        'Ingest',
        'JourneyExecution',
        'SegmentEntry/Function',
        'SendMessage',
        'Unsubscribe/Function',
      ].sort(),
    );
  });
});
