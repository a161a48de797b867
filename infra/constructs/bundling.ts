import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

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

/**
 * How every function is bundled: by the esbuild in node_modules (no Docker),
 * one minified ESM file for Node.js 22 with a source map, the AWS SDK inside
 * (the version we test with, not whatever the runtime ships).
 */
export const HOUSE_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  target: 'node22',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  bundleAwsSDK: true,
  externalModules: UNUSED_CREDENTIAL_PROVIDERS,
  banner: REQUIRE_SHIM,
};
