/**
 * Typed Amazon States Language Choice rules (JSONPath flavour), as the
 * condition renderer emits them and the compiler places them in Choice states.
 */

type StringOperator =
  | 'StringEquals'
  | 'StringLessThan'
  | 'StringLessThanEquals'
  | 'StringGreaterThan'
  | 'StringGreaterThanEquals'
  | 'StringMatches';

type NumericOperator =
  | 'NumericEquals'
  | 'NumericLessThan'
  | 'NumericLessThanEquals'
  | 'NumericGreaterThan'
  | 'NumericGreaterThanEquals';

/**
 * Type tests. Only the `true` form is allowed: aws-local-stepfunctions
 * evaluates `IsNull: false` (and the other `false` forms) as always false,
 * unlike AWS, so the negation is written as `Not` instead.
 */
type TypeTest = 'IsPresent' | 'IsNull' | 'IsString' | 'IsNumeric' | 'IsBoolean';

/** `{ Variable, <Operator>: value }` for exactly one operator of `Ops`. */
type OneOf<Ops extends string, Value> = { [K in Ops]: { Variable: string } & { [P in K]: Value } }[Ops];

/** A comparison of the value at `Variable` (a JSONPath Reference Path) with a literal. */
export type ChoiceComparison =
  | OneOf<StringOperator, string>
  | OneOf<NumericOperator, number>
  | OneOf<'BooleanEquals', boolean>
  | OneOf<TypeTest, true>;

/** A Choice rule without `Next`: a comparison or a boolean combination of rules. */
export type ChoiceRule =
  | ChoiceComparison
  | { And: ChoiceRule[] }
  | { Or: ChoiceRule[] }
  | { Not: ChoiceRule };

/** A top-level entry of a Choice state's `Choices`. */
export type ChoiceBranch = ChoiceRule & { Next: string };
