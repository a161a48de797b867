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

let installed: { cached: SchemaErrors; original: SchemaErrors } | undefined;

/**
 * aws-local-stepfunctions validates every definition it builds with
 * asl-validator, whose JSON Schema check makes a new Ajv and compiles the ASL
 * schemas at every call: 0.1–0.5 s of CPU, most of what deploying a journey
 * locally costs. From here on that check answers from one Ajv per option set,
 * compiled once per process and configured as asl-validator configures its
 * own; for a definition it finds invalid, asl-validator's own check runs, so
 * every report is the one asl-validator writes. Returns both checks (tests
 * compare them), or undefined when asl-validator's files are not where this
 * expects them (then nothing is replaced: validation is as before, only slower).
 */
export function cacheSchemaCheck(): { cached: SchemaErrors; original: SchemaErrors } | undefined {
  if (installed !== undefined) return installed;
  const load = (() => {
    try {
      // The asl-validator aws-local-stepfunctions loads (its own copy, not the project's).
      const fromInterpreter = createRequire(
        createRequire(import.meta.url).resolve('aws-local-stepfunctions'),
      );
      return createRequire(fromInterpreter.resolve('asl-validator'));
    } catch {
      return undefined;
    }
  })();
  const checks: unknown = load?.('./checks/json-schema-errors.js');
  if (load === undefined || !isSchemaCheckModule(checks)) return undefined;
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
  installed = { cached, original };
  return installed;
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
