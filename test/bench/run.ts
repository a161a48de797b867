/**
 * `npm run bench`: every benchmark, figures printed (never asserted).
 * `npm run bench -- compile handlers` runs only those.
 */
import { runBundlesBench } from './bundles.ts';
import { runCompileBench } from './compile.ts';
import { runHandlersBench } from './handlers.ts';

// The AWS SDK warns once per process that Node 20 support ends in 2027; Lambda runs Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const benches: Record<string, () => Promise<void> | void> = {
  compile: runCompileBench,
  handlers: runHandlersBench,
  bundles: () => runBundlesBench(),
  documents: async () => {
    const { runDocumentsBench } = await import('./documents.ts');
    runDocumentsBench();
  },
  cli: async () => {
    const { runCliBench } = await import('./cli.ts');
    await runCliBench();
  },
  templates: async () => {
    const { runTemplateAttacksBench } = await import('./template-attacks.ts');
    await runTemplateAttacksBench();
  },
  faults: async () => {
    const { runFaultsBench } = await import('./faults.ts');
    await runFaultsBench();
  },
  identity: async () => {
    const { runIdentityBench } = await import('./identity.ts');
    await runIdentityBench();
  },
  segment: async () => {
    const { runSegmentBench } = await import('./segment.ts');
    await runSegmentBench();
  },
  'segment-calls': async () => {
    const { runSegmentCallsBench } = await import('./segment-calls.ts');
    await runSegmentCallsBench();
  },
  calls: async () => {
    const { runCallsBench } = await import('./calls.ts');
    await runCallsBench();
  },
  simulate: async () => {
    const { runSimulateBench } = await import('./simulate.ts');
    runSimulateBench();
  },
  'simulate-ab': async () => {
    const { runSimulateAbBench } = await import('./simulate-ab.ts');
    runSimulateAbBench();
  },
  'profile-items': async () => {
    const { runProfileItemsBench } = await import('./profile-items.ts');
    runProfileItemsBench();
  },
  'local-memory': async () => {
    const { runLocalMemoryBench } = await import('./local-memory.ts');
    await runLocalMemoryBench();
  },
  'in-process': async () => {
    const { runInProcessCallsBench } = await import('./in-process-calls.ts');
    await runInProcessCallsBench();
  },
  local: async () => {
    const { runLocalBench } = await import('./local.ts');
    await runLocalBench();
  },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`);
  process.exit(1);
}
for (const [name, run] of Object.entries(benches)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n=== ${name} ${'='.repeat(60 - name.length)}`);
  await run();
}
