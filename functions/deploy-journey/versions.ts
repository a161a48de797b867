import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  DeleteStateMachineVersionCommand,
  DescribeStateMachineAliasCommand,
  ListStateMachineAliasesCommand,
  ListStateMachineVersionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { logger, metrics } from '#functions/_lib/observability.ts';
import { MAX_STATE_MACHINE_VERSIONS, versionsToDelete } from '#shared/journey/version-retention.ts';
import { METRICS } from '#shared/metrics.ts';

/**
 * Deletes the versions of a journey's state machine the retention rule gives
 * up, after a deploy. Each deploy adds one version and deletes up to
 * `maxDeletes`, so a backlog (a stack upgraded with hundreds) drains over a
 * few deploys while no deploy does unbounded work.
 */

export type VersionPolicy = { keep: number; maxDeletes: number };

export type PruneOutcome = { deleted: number[]; failed: number; remaining: number };

/** At most one deploy's worth of deletions; the rest go at the next deploys. */
export const MAX_DELETES_PER_DEPLOY = 25;

function versionNumber(arn: string | undefined): number | undefined {
  const number = Number(arn?.slice(arn.lastIndexOf(':') + 1));
  return Number.isInteger(number) ? number : undefined;
}

/** Pages through a listing; a state machine has at most 1,000 versions and 100 aliases, so few pages. */
async function paged<T>(fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string }>) {
  const items: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < 10; page += 1) {
    const out = await fetch(token);
    items.push(...out.items);
    token = out.next;
    if (token === undefined) break;
  }
  return items;
}

async function publishedVersions(sfn: SFNClient, stateMachineArn: string): Promise<number[]> {
  const arns = await paged(async (nextToken) => {
    const out = await sfn.send(
      new ListStateMachineVersionsCommand({
        stateMachineArn,
        nextToken,
        maxResults: MAX_STATE_MACHINE_VERSIONS,
      }),
    );
    const items = (out.stateMachineVersions ?? []).map((v) => v.stateMachineVersionArn);
    return { items, next: out.nextToken };
  });
  return arns.flatMap((arn) => versionNumber(arn) ?? []);
}

/** Every version any alias routes to: `live`, and any alias someone added by hand. */
async function routedVersions(sfn: SFNClient, stateMachineArn: string): Promise<Set<number>> {
  const aliases = await paged(async (nextToken) => {
    const out = await sfn.send(new ListStateMachineAliasesCommand({ stateMachineArn, nextToken }));
    const items = (out.stateMachineAliases ?? []).flatMap((a) => a.stateMachineAliasArn ?? []);
    return { items, next: out.nextToken };
  });
  const routed = new Set<number>();
  for (const stateMachineAliasArn of aliases) {
    const alias = await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn }));
    for (const route of alias.routingConfiguration ?? []) {
      const number = versionNumber(route.stateMachineVersionArn);
      if (number !== undefined) routed.add(number);
    }
  }
  return routed;
}

function isGone(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFound';
}

/**
 * Deletes what the rule gives up, oldest first. A failed deletion is
 * counted, not thrown: the version goes at a later deploy.
 */
export async function pruneVersions(
  sfn: SFNClient,
  stateMachineArn: string,
  policy: VersionPolicy,
): Promise<PruneOutcome> {
  const versions = await publishedVersions(sfn, stateMachineArn);
  const routed = await routedVersions(sfn, stateMachineArn);
  const doomed = versionsToDelete({ versions, routed, keep: policy.keep });
  const outcome: PruneOutcome = { deleted: [], failed: 0, remaining: 0 };
  for (const version of doomed.slice(0, policy.maxDeletes)) {
    try {
      await sfn.send(
        new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${stateMachineArn}:${version}` }),
      );
      outcome.deleted.push(version);
    } catch (error) {
      // Another deploy of the same journey deleted it first.
      if (isGone(error)) continue;
      outcome.failed += 1;
      logger.warn('state machine version not deleted', { stateMachineArn, version, error });
    }
  }
  outcome.remaining = Math.max(0, doomed.length - policy.maxDeletes) + outcome.failed;
  return outcome;
}

/**
 * Prunes after a deploy and never fails it: a failure (listing, deleting) is
 * logged and counted in `StateMachineVersionPruneFailures`, and the next
 * deploy tries again.
 */
export async function pruneAfterDeploy(
  sfn: SFNClient,
  stateMachineArn: string,
  policy: VersionPolicy,
): Promise<PruneOutcome | undefined> {
  try {
    const outcome = await pruneVersions(sfn, stateMachineArn, policy);
    if (outcome.failed > 0) metrics.addMetric(METRICS.versionPruneFailures, MetricUnit.Count, outcome.failed);
    if (outcome.deleted.length > 0 || outcome.remaining > 0)
      logger.info('state machine versions pruned', { stateMachineArn, ...outcome });
    return outcome;
  } catch (error) {
    metrics.addMetric(METRICS.versionPruneFailures, MetricUnit.Count, 1);
    logger.warn('state machine versions not pruned', { stateMachineArn, error });
    return undefined;
  }
}
