import type { FunctionManifest } from './_lib/manifest.ts';
import { manifest as awaitEvent } from './await-event/manifest.ts';
import { manifest as deliveryFeedback } from './delivery-feedback/manifest.ts';
import { manifest as deployJourney } from './deploy-journey/manifest.ts';
import { manifest as evaluate } from './evaluate/manifest.ts';
import { manifest as executionStatus } from './execution-status/manifest.ts';
import { manifest as ingest } from './ingest/manifest.ts';
import { manifest as segmentEntry } from './segment-entry/manifest.ts';
import { manifest as sendMessage } from './send-message/manifest.ts';
import { manifest as unsubscribe } from './unsubscribe/manifest.ts';

/**
 * Every function of `functions/`, by its manifest: the stack builds, binds
 * and grants them from this list, and the local runtime runs them. Handlers
 * import only their own manifest, never this list.
 */
const FUNCTIONS = [
  ingest,
  sendMessage,
  evaluate,
  awaitEvent,
  deployJourney,
  deliveryFeedback,
  executionStatus,
  segmentEntry,
  unsubscribe,
] as const;

export type FunctionName = (typeof FUNCTIONS)[number]['name'];

/** The same list, each manifest in the general shape: for code that handles every function alike. */
export const MANIFESTS: readonly (FunctionManifest & { readonly name: FunctionName })[] = FUNCTIONS;

export const FUNCTION_NAMES: readonly FunctionName[] = FUNCTIONS.map((manifest) => manifest.name);

/** The manifest of one function. */
export function manifestOf(name: FunctionName): FunctionManifest & { readonly name: FunctionName } {
  const manifest = MANIFESTS.find((m) => m.name === name);
  if (manifest === undefined) throw new Error(`no manifest for ${name}`);
  return manifest;
}
