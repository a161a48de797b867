import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * The name under which a command's bundle sees `import.meta.resolve` (build.ts
 * defines it so): a CommonJS module has no `import.meta`, and the sources ask it
 * only for packages, which resolve the same from every file of the build.
 */
export const IMPORT_META_RESOLVE = '__journeysImportMetaResolve';

/** Beside each command's bundle: V8's compiled code of it, as the last run that made it left it. */
export const CODE_CACHE_SUFFIX = '.v8-cache';

/**
 * Runs a command's bundle (CommonJS, commands/<name>.cjs beside main.mjs) and
 * returns its exports. Compiling its ~1 MB of JavaScript is a large part of a
 * command's start (Node.js 20 keeps no compiled code between runs of an ES
 * module; 22 has `module.enableCompileCache`): the code V8 compiled for it,
 * saved when a run ends, is given back to V8 by the next runs. V8 refuses
 * code made by another V8 or with other flags, and the next run then
 * saves its own. A build never changes its files (a new build is a new
 * folder), so the code saved beside a bundle is always that bundle's.
 */
export function loadCommandBundle(file: string): unknown {
  const cacheFile = `${file}${CODE_CACHE_SUFFIX}`;
  const cachedData = readOptional(cacheFile);
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname, ${IMPORT_META_RESOLVE}) {${readFileSync(file, 'utf8')}\n})`,
    {
      filename: file,
      ...(cachedData === undefined ? {} : { cachedData }),
      // `import()` in the bundle (Node.js built-ins) goes to the main loader, as in any module.
      importModuleDynamically: (specifier: string) => import(specifier),
    },
  );
  // Made once the command has run: it then holds every function the command compiled, not only the outer ones.
  if (cachedData === undefined || script.cachedDataRejected === true)
    process.once('exit', () => saveCodeCache(cacheFile, script));
  const require = createRequire(file);
  const module = new Module(file);
  module.filename = file;
  // In the require cache, as Node.js puts every module it loads: tools that list what a process loaded see it.
  require.cache[file] = module;
  const resolve = (specifier: string) => import.meta.resolve(specifier);
  script.runInThisContext()(module.exports, require, module, file, dirname(file), resolve);
  module.loaded = true;
  return module.exports;
}

function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Written whole, then renamed into place: a run reading it meanwhile sees all of it or none. */
function saveCodeCache(cacheFile: string, script: Script): void {
  const temporary = `${cacheFile}.${randomBytes(6).toString('hex')}`;
  try {
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
  } catch {
    // A folder that cannot be written (a read-only install): the next run compiles, as this one did.
    rmSync(temporary, { force: true });
  }
}
