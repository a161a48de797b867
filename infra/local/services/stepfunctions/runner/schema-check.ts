import { createRequire } from 'node:module';

/** asl-validator's options, as aws-local-stepfunctions passes them. */
export type ValidationOptions = { checkPaths?: boolean; checkArn?: boolean };
/** asl-validator's JSON Schema check: the errors it reports about a definition, none when valid. */
export type SchemaErrors = (definition: unknown, options: ValidationOptions) => unknown[];

type Ajv = {
  addFormat: (name: string, format: (value: string) => boolean) => void;
  validate: (schema: string, data: unknown) => boolean;
};
type AjvConstructor = new (options: { schemas: unknown[]; allowUnionTypes: boolean }) => Ajv;

const STATE_MACHINE_SCHEMA = 'http://asl-validator.cloud/state-machine.json#';
const SCHEMA_FILES = [
  'common',
  'paths',
  'jsonata',
  'choice',
  'fail',
  'parallel',
  'pass',
  'base-state-machine',
  'state-machine',
  'state',
  'succeed',
  'task',
  'wait',
  'map',
  'errors',
];

type Installed = { cached: SchemaErrors; original: SchemaErrors };

/** Per copy of asl-validator (its main file): what was installed, or undefined when it could not be. */
const installed = new Map<string, Installed | undefined>();

/** The asl-validator aws-local-stepfunctions loads (its own copy, not the project's). */
function interpreterValidator(): string {
  const fromInterpreter = createRequire(createRequire(import.meta.url).resolve('aws-local-stepfunctions'));
  return fromInterpreter.resolve('asl-validator');
}

/**
 * aws-local-stepfunctions validates every definition it builds with
 * asl-validator, whose JSON Schema check makes a new Ajv and compiles the ASL
 * schemas at every call: 0.1–0.5 s of CPU, most of what deploying a journey
 * locally costs. From here on that check answers from one Ajv per option set,
 * compiled once per process and configured as asl-validator configures its
 * own; for a definition it finds invalid, asl-validator's own check runs, so
 * every report is the one asl-validator writes. `validatorMain` names another
 * copy of asl-validator to speed up (the tests' own). Returns both checks
 * (tests compare them), or undefined when asl-validator's files are not where
 * this expects them (then nothing is replaced: validation is as before, only slower).
 */
export function cacheSchemaCheck(validatorMain?: string): Installed | undefined {
  let main: string;
  try {
    main = validatorMain ?? interpreterValidator();
  } catch {
    return undefined;
  }
  if (!installed.has(main)) installed.set(main, install(main));
  return installed.get(main);
}

function install(main: string): Installed | undefined {
  const load = createRequire(main);
  let checks: unknown;
  try {
    checks = load('./checks/json-schema-errors.js');
  } catch {
    return undefined;
  }
  if (!isSchemaCheckModule(checks)) return undefined;
  const original = checks.jsonSchemaErrors;
  const validators = new Map<string, Ajv>();
  const cached: SchemaErrors = (definition, options) => {
    const key = `${Boolean(options.checkPaths)}/${Boolean(options.checkArn)}`;
    let ajv = validators.get(key);
    if (ajv === undefined) {
      ajv = schemaValidator(load, options);
      validators.set(key, ajv);
    }
    return ajv.validate(STATE_MACHINE_SCHEMA, definition) ? [] : original(definition, options);
  };
  checks.jsonSchemaErrors = cached;
  return { cached, original };
}

function isSchemaCheckModule(value: unknown): value is { jsonSchemaErrors: SchemaErrors } {
  return typeof value === 'object' && value !== null && 'jsonSchemaErrors' in value
    ? typeof value.jsonSchemaErrors === 'function'
    : false;
}

/** The Ajv asl-validator's json-schema-errors.js builds, with the same schemas, options and formats. */
function schemaValidator(load: NodeJS.Require, options: ValidationOptions): Ajv {
  const Ajv: AjvConstructor = load('ajv').default;
  const ajv = new Ajv({
    schemas: SCHEMA_FILES.map((name) => load(`./schemas/${name}.json`)),
    allowUnionTypes: true,
  });
  load('ajv-formats').default(ajv);
  const jsonata: (expression: string) => unknown = load('jsonata');
  const validJsonata = (value: string) => {
    const trimmed = value.trim();
    try {
      let expression = trimmed.startsWith('{%') ? trimmed.slice(2) : trimmed;
      expression = expression.endsWith('%}') ? expression.slice(0, -2) : expression;
      jsonata(expression);
      return true;
    } catch {
      return false;
    }
  };
  ajv.addFormat('jsonata_string', validJsonata);
  ajv.addFormat('maybe_jsonata_string', (value) => {
    const trimmed = value.trim();
    return trimmed.startsWith('{%') || trimmed.endsWith('%}') ? validJsonata(trimmed) : true;
  });
  const any = () => true;
  if (options.checkPaths) load('asl-path-validator').registerAll(ajv);
  else
    for (const name of ['asl_path', 'asl_ref_path', 'asl_payload_template', 'asl_result_path'])
      ajv.addFormat(name, any);
  ajv.addFormat('asl_arn', options.checkArn ? load('./checks/formats.js').isArnFormatValid : any);
  return ajv;
}
