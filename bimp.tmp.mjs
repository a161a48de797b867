import { build } from 'esbuild';
import { writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const ext = ['@aws-sdk/credential-provider-sso','@aws-sdk/credential-provider-ini','@aws-sdk/credential-provider-process','@aws-sdk/credential-provider-web-identity','@aws-sdk/credential-provider-http','@smithy/credential-provider-imds','@aws-sdk/nested-clients','@aws-sdk/credential-provider-login'];
mkdirSync('/tmp/bund', { recursive: true });
for (const n of ['ingest','send-message','evaluate','await-event','deploy-journey','delivery-feedback']) {
  const banner = "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);";
  await build({ entryPoints: [`functions/${n}/handler.ts`], bundle: true, platform: 'node', format: 'esm', target: 'node22', minify: true, mainFields: ['module','main'], external: process.argv[2] === 'ext' ? ext : [], outfile: `/tmp/bund/${n}.mjs`, banner: { js: banner }, logLevel: 'error' });
  const times = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const t=performance.now(); await import('/tmp/bund/${n}.mjs'); console.log(performance.now()-t)`], { encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1' } });
    times.push(Number(r.stdout.trim()) || r.stderr.slice(0, 200));
  }
  console.log(n, times.map(t => typeof t === 'number' ? t.toFixed(0) : t).join(' '));
}
