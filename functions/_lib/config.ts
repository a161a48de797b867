import { keptPerColdStart } from './cold-start.ts';
import {
  type ConfigOf,
  type FunctionManifest,
  VARIABLES,
  type VariableName,
  type VariableValue,
  variablesOf,
} from './manifest.ts';
import { environment } from './runtime-scope.ts';

/**
 * Environment configuration, parsed once per cold start with zod from the
 * variables of the function's manifest: a handler can read no variable its
 * manifest does not bind (a type error), and a missing one fails fast with a
 * message naming it.
 */

/** Thrown at the first invocation when the environment lacks what a function needs. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type ConfigValues<V extends VariableName> = { [K in V]: VariableValue<K> };

/**
 * Parses the named variables from `env`: by default the invocation's
 * environment (process.env on Lambda; its runtime's where one process runs
 * several, runtime-scope.ts). Empty strings count as missing, so a
 * half-configured stack fails loudly.
 */
export function parseConfig<V extends VariableName>(
  names: readonly V[],
  env: Readonly<Record<string, string | undefined>> = environment(),
): ConfigValues<V> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const key of names) {
    const raw = env[key] === '' ? undefined : env[key];
    const result = VARIABLES[key].schema.safeParse(raw);
    if (result.success) values[key] = result.data;
    else
      problems.push(raw === undefined ? `${key} is not set` : `${key}: ${result.error.issues[0]?.message}`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid environment: ${problems.join('; ')}`);
  // Every requested key was parsed by its own schema above.
  return values as ConfigValues<V>;
}

/** The config of a function, parsed from its manifest on first use and then the same object (once per cold start). */
export function lazyConfig<M extends FunctionManifest>(manifest: M): () => ConfigOf<M> {
  const cached = keptPerColdStart<ConfigOf<M>>();
  return () => {
    // The names are exactly those of the manifest's bindings, which ConfigOf spells as a type.
    cached.value ??= parseConfig(variablesOf(manifest.bindings)) as ConfigOf<M>;
    return cached.value;
  };
}
