import { createRequire } from 'node:module';

/**
 * Runs `install` once per copy of dynalite (its main file: `dynaliteMain`, or
 * the one this package resolves) with that file, and answers with what it
 * answered then: whether dynalite's files were where `install` expects them.
 * False too when no dynalite resolves.
 */
export function onceForDynalite(
  installed: Map<string, boolean>,
  install: (main: string) => boolean,
  dynaliteMain?: string,
): boolean {
  let main: string;
  try {
    main = dynaliteMain ?? createRequire(import.meta.url).resolve('dynalite');
  } catch {
    return false;
  }
  let done = installed.get(main);
  if (done === undefined) {
    done = install(main);
    installed.set(main, done);
  }
  return done;
}

/**
 * Changes dynalite's database module (`db/index.js`) once per copy of
 * dynalite, when it has the shape `isDb` expects: whether it was changed.
 */
export function patchDynaliteDb<Db>(
  installed: Map<string, boolean>,
  isDb: (module: unknown) => module is Db,
  patch: (db: Db) => void,
  dynaliteMain?: string,
): boolean {
  const install = (main: string): boolean => {
    let module: unknown;
    try {
      module = createRequire(main)('./db/index.js');
    } catch {
      return false;
    }
    if (!isDb(module)) return false;
    patch(module);
    return true;
  };
  return onceForDynalite(installed, install, dynaliteMain);
}
