import * as z from '../zod.ts';

/**
 * The contracts between compiled journeys and the task functions
 * (`shared/tasks/`, one module per contract, so a function loads only its
 * own). Every input carries `v`, the contract version: a handler accepts
 * every version that running executions may still send (executions live up
 * to a year). Each contract is a union of its versions; an input of an older
 * version is upgraded to the current one as it is parsed, so handlers see one
 * shape.
 *
 * Versions:
 * - 1: the first contract.
 * - 2: evaluate also runs `updateProfile` steps (copied values keep their
 *   JSON type); the inputs of version 1 are unchanged in version 2.
 */

export const CONTRACT_VERSION = 2 as const;

/**
 * The current schema, or an older one whose input is upgraded and then
 * checked against the current schema.
 */
export function versioned<Current extends z.ZodMiniType, Previous extends z.ZodMiniType>(
  current: Current,
  previous: Previous,
  upgrade: (input: z.output<Previous>) => unknown,
) {
  const upgraded = z.pipe(
    previous,
    z.transform((input: z.output<Previous>, ctx): z.output<Current> => {
      const result = current.safeParse(upgrade(input));
      if (result.success) return result.data;
      for (const issue of result.error.issues) {
        ctx.issues.push({ code: 'custom', path: issue.path, message: issue.message, input });
      }
      return z.NEVER;
    }),
  );
  return z.union([current, upgraded]);
}

/** Version 1 → 2: the same fields; only the version number moves. */
export function upgradeFromV1(input: { v: 1 }): unknown {
  return { ...input, v: CONTRACT_VERSION };
}

/** The input of version 1 of a contract whose fields did not change since. */
export function asV1<Shape extends z.core.$ZodLooseShape>(current: z.ZodMiniObject<Shape>) {
  return z.extend(current, { v: z.literal(1) });
}

/** The fields every task input carries. */
export const taskBase = {
  v: z.literal(CONTRACT_VERSION),
  journeyId: z.string(),
  journeyVersion: z.string(),
  enrollmentId: z.string(),
  userId: z.string(),
  stepId: z.string(),
};
