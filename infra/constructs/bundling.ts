import { join } from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { type BuildOptions, buildSync } from 'esbuild';

// ESM bundles of CommonJS dependencies call require() for Node built-ins: give them one.
const REQUIRE_SHIM =
  "import { createRequire as __journeysCreateRequire } from 'node:module'; const require = __journeysCreateRequire(import.meta.url);";

/**
 * Credential providers the SDK loads with a dynamic import only when the
 * environment holds no credentials. Lambda always provides them in the
 * environment, so these are never loaded there; leaving them out of the
 * bundle saves ~150 KB and ~15 ms of cold start per function. (Were one
 * ever needed, the runtime's own SDK copy would resolve it.)
 */
export const UNUSED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/nested-clients',
  '@smithy/credential-provider-imds',
];

/** The file Lambda loads: `index.mjs`, exporting `handler`. */
export const HANDLER_FILE = 'index.mjs';

/**
 * How every function is bundled, by the esbuild in node_modules (no Docker):
 * minified ESM for Node.js 22 with source maps, the AWS SDK inside (the
 * version we test with, not whatever the runtime ships), written to a
 * folder as `index.mjs` and the chunks it imports. Code reached only through
 * `await import()` is a chunk of its own that a cold start does not compile
 * until it runs: the Pinpoint client and phone numbers in `send-message`,
 * and the SDK's own event-stream and browser user-agent code in every
 * function. Everything statically imported by several of them is a shared
 * chunk.
 */
export const HOUSE_ESBUILD: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  mainFields: ['module', 'main'],
  target: 'node22',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  external: UNUSED_CREDENTIAL_PROVIDERS,
  banner: { js: REQUIRE_SHIM },
  logLevel: 'warning',
};

/** Bundles one handler into `outdir` with the house options. */
export function bundleHandler(entry: string, outdir: string): void {
  buildSync({ ...HOUSE_ESBUILD, entryPoints: { index: entry }, outdir });
}

/**
 * Bundles one handler when CDK stages its asset. CDK reuses a bundling whose
 * options serialize the same, so the entry (relative to the project root:
 * the same on every machine) is a field, which serializes; the root is not.
 */
class HouseBundler implements ILocalBundling {
  readonly #root: string;

  constructor(
    root: string,
    readonly entry: string,
  ) {
    this.#root = root;
  }

  tryBundle(outputDir: string): boolean {
    bundleHandler(join(this.#root, this.entry), outputDir);
    return true;
  }
}

/**
 * The code of a function: `functions/<name>/handler.ts` bundled at synth time
 * into the asset folder (hashed by its output, as `NodejsFunction` hashes).
 * When a synth skips bundling (`aws:cdk:bundling-stacks`), CDK stages a
 * placeholder without calling it.
 */
export function houseCode(projectRoot: string, name: string): Code {
  return Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      local: new HouseBundler(projectRoot, join('functions', name, 'handler.ts')),
    },
  });
}
