import type { Template, TemplateCatalog } from '../../templates.ts';
import type { Journey, Step } from '../schema.ts';
import type { Violation } from '../violations.ts';

/**
 * What the semantic checks see: every field that parsed on its own, so one
 * broken field does not hide the problems of the others.
 */
export type CheckContext = {
  /** Steps that passed the schema, by id. */
  steps: Readonly<Record<string, Step>>;
  /** Steps that parsed only without their broken fields: checks for a missing field skip them. */
  salvaged?: ReadonlySet<string>;
  /** Every step id in the file, valid or not (a `next` to an invalid step is not dangling). */
  stepIds: ReadonlySet<string>;
  start?: string;
  trigger?: Journey['trigger'];
  reentry?: Journey['reentry'];
  settings?: Journey['settings'];
  goal?: Journey['goal'];
  audience?: Journey['audience'];
  exitOn?: Journey['exitOn'];
  /** The journey context declarations (`context`). */
  variables?: Journey['context'];
  templates?: TemplateCatalog;
  /** The templates' content by name: the variables they read are checked against each step that sends them. */
  templateBodies?: ReadonlyMap<string, Template>;
  /** The webhook connections the stack defines (name → base URL); connection checks are skipped without it. */
  connections?: ReadonlyMap<string, string>;
};

/** A semantic check: returns every violation it finds, never throws. */
export type Check = (context: CheckContext) => Violation[];
