// Where the CLI's prebuilt bundle lives and whether it is still the build of
// the sources as they are now. Plain JavaScript: `bin.js` asks before it has
// any TypeScript loader. build.ts writes what this reads.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The project folder: sources, package.json and node_modules. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The file naming the current build and the inputs it was built from. */
export const MANIFEST_FILE = 'manifest.json';

/**
 * Where builds are kept: `JOURNEYS_CLI_CACHE`, else node_modules/.cache/journeys-cli (gone with node_modules).
 * `root`: the project folder, for code bundled away from this file (its own location is then the bundle's).
 * @param {string} [root]
 */
export function cacheDir(root = PROJECT_ROOT) {
  return process.env.JOURNEYS_CLI_CACHE || join(root, 'node_modules', '.cache', 'journeys-cli');
}

/**
 * The URL of the bundle's entry module when the recorded build is current:
 * built in this project folder, and every input it recorded (each source
 * file, package.json, the lockfile npm rewrites on every install) still has
 * the size and modification time it had. Any doubt (no manifest, another
 * shape, a file gone or changed) answers undefined: rebuild.
 * @param {string} dir
 * @param {string} [root] the project folder (as for cacheDir)
 * @returns {string | undefined}
 */
export function freshEntry(dir, root = PROJECT_ROOT) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest?.root !== root || typeof manifest.entry !== 'string') return undefined;
  if (!Array.isArray(manifest.inputs)) return undefined;
  for (const input of manifest.inputs) {
    if (!Array.isArray(input)) return undefined;
    const [path, size, mtimeMs] = input;
    const stats = statSync(join(root, String(path)), { throwIfNoEntry: false });
    if (stats === undefined || stats.size !== size || stats.mtimeMs !== mtimeMs) return undefined;
  }
  const entry = join(dir, manifest.entry);
  if (statSync(entry, { throwIfNoEntry: false }) === undefined) return undefined;
  return pathToFileURL(entry).href;
}
