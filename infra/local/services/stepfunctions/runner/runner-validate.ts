import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { cacheSchemaCheck } from './schema-check.ts';

/** Names every plain JavaScript object has: `constructor`, `valueOf`, `toString`, `hasOwnProperty`… */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The fields whose keys are data: a payload template's field names are the user's (properties, traits, body fields). */
const PAYLOAD_TEMPLATES = new Set(['Parameters', 'ResultSelector']);

/**
 * Builds the interpreter's StateMachine, validating the definition as AWS
 * does. The validator aws-local-stepfunctions runs (asl-validator) counts a
 * payload template's field names in a plain object, so a field named
 * `valueOf` or `constructor` — an emitted property, a webhook body field, a
 * context variable — reads as a duplicate and a valid journey would not
 * deploy locally. Such names are renamed in a copy that is validated; the
 * definition itself is built unchanged.
 */
export function buildStateMachine(definition: StateMachineDefinition): StateMachine {
  cacheSchemaCheck();
  const masked = maskInheritedFieldNames(definition);
  if (masked === definition) return new StateMachine(definition);
  new StateMachine(masked);
  return new StateMachine(definition, { validationOptions: { noValidate: true } });
}

/**
 * The definition with every payload-template field named like an inherited
 * property prefixed with `~` (its `.$` kept); the same object when there is
 * none. For validation only.
 */
export function maskInheritedFieldNames<T>(definition: T): T {
  let changed = false;
  const mask = (value: unknown, inTemplate: boolean): unknown => {
    if (Array.isArray(value)) return value.map((item) => mask(item, inTemplate));
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, child] of Object.entries(value)) {
      const name = key.endsWith('.$') ? key.slice(0, -2) : key;
      const rename = inTemplate && INHERITED.has(name);
      if (rename) changed = true;
      out[rename ? `~${key}` : key] = mask(child, inTemplate || PAYLOAD_TEMPLATES.has(key));
    }
    return { ...out };
  };
  const masked = mask(definition, false);
  // The copy has the shape of the definition: only field names inside payload templates differ.
  return changed ? (masked as T) : definition;
}
