import { availableParallelism } from 'node:os';
import { loadInputs, scenarioFileFor } from '#infra/simulate/cli/inputs.ts';
import { forecastText } from '#infra/simulate/cli/text.ts';
import { simulate } from '#infra/simulate/run/simulate.ts';
import { writeOutputFile } from '../files.ts';
import { fail, paint } from '../output.ts';

type Options = {
  customers: string;
  scenario?: string;
  templates?: string;
  workers?: string;
  html?: string;
  json?: boolean;
};

/** More threads than this gain nothing on any machine the CLI runs on, and each holds a heap. */
const MAX_WORKERS = 64;

const threads = (n: number) => (n === 1 ? '1 thread' : `${n} threads`);

/** `journeys simulate <journey> --customers N`: a what-if forecast of a journey before launch. */
export async function simulateCommand(file: string, options: Options): Promise<void> {
  const customers = Number(options.customers);
  if (!Number.isInteger(customers) || customers < 1 || customers > 10_000_000) {
    fail(`--customers ${options.customers}: give a whole number from 1 to 10,000,000`);
    return;
  }
  const workers = options.workers === undefined ? availableParallelism() : Number(options.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    fail(`--workers ${options.workers}: give a whole number from 1 to ${MAX_WORKERS}`);
    return;
  }
  const scenarioFile = options.scenario ?? scenarioFileFor(file);
  const loaded = await loadInputs(file, scenarioFile, options.templates);
  if (!loaded.ok) {
    for (const problem of loaded.problems) process.stderr.write(`  ${problem}\n`);
    fail(`cannot simulate ${file}: fix the problems above first.`);
    return;
  }
  const started = Date.now();
  const interactive = process.stderr.isTTY === true;
  const forecast = await simulate({
    ...loaded.inputs,
    customers,
    workers,
    progress: (entered, now) => {
      const line = `simulating: ${entered.toLocaleString('en-US')}/${customers.toLocaleString('en-US')} customers entered, journey time ${now.toISOString()}`;
      process.stderr.write(interactive ? `\r${line}` : `${line}\n`);
    },
  });
  if (interactive) process.stderr.write('\n');
  if (options.json) process.stdout.write(`${JSON.stringify(forecast, null, 2)}\n`);
  else process.stdout.write(forecastText(forecast));
  if (options.html !== undefined) {
    const { forecastPage } = await import('#infra/simulate/cli/html.ts');
    await writeOutputFile(options.html, forecastPage(forecast));
    process.stderr.write(`${paint('green', '✔')} ${options.html}\n`);
  }
  process.stderr.write(
    `simulated in ${((Date.now() - started) / 1000).toFixed(1)} s (${threads(Math.min(workers, customers))})\n`,
  );
}
