import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

// ESM bundles of CommonJS dependencies call require() for Node built-ins: give them one.
export const REQUIRE_SHIM =
  "import { createRequire as __journeysCreateRequire } from 'node:module'; const require = __journeysCreateRequire(import.meta.url);";

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
  externalModules: [],
  banner: REQUIRE_SHIM,
};
