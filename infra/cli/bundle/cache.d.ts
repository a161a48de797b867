// Types of cache.js, which bin.js loads before any TypeScript loader.
export declare const PROJECT_ROOT: string;
export declare const MANIFEST_FILE: string;
export declare function cacheDir(root?: string): string;
export declare function freshEntry(dir: string, root?: string): string | undefined;

/** What build.ts records and freshEntry checks: [path from the project root, size, mtimeMs]. */
export type BundleManifest = {
  root: string;
  entry: string;
  inputs: [string, number, number][];
};
