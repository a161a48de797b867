import { existsSync } from 'node:fs';

/**
 * Where Debian's awscli package puts the AWS CLI v2 (the first `aws` on PATH
 * may be an old v1); `JOURNEYS_AWS_CLI` points elsewhere.
 */
export const AWS_CLI = process.env.JOURNEYS_AWS_CLI ?? '/usr/bin/aws';

/** Set by `.ci/run`: there, a missing AWS CLI fails the tests instead of being reported. */
export const REQUIRE_AWS_CLI = 'JOURNEYS_REQUIRE_AWS_CLI';

/**
 * Whether the AWS CLI tests can run. Node.js is the only requirement of
 * `npm test`: without the CLI they print a notice and check nothing else,
 * unless `JOURNEYS_REQUIRE_AWS_CLI=1` (CI), where its absence is a failure.
 */
export function awsCliAvailable(test: string): boolean {
  if (existsSync(AWS_CLI)) return true;
  if (process.env[REQUIRE_AWS_CLI] === '1')
    throw new Error(
      `${test}: the AWS CLI v2 is required here (${REQUIRE_AWS_CLI}=1) but ${AWS_CLI} is missing`,
    );
  console.warn(
    `NOTICE ${test}: not run — the AWS CLI v2 is not installed (${AWS_CLI}). Install it with \`apt-get install -y awscli\`; CI (.ci/run) installs it and requires these tests.`,
  );
  return false;
}
