import { vi } from 'vitest';

/**
 * Every metric value the handlers printed as EMF while `run` ran, summed by
 * name: what CloudWatch would count from their log lines.
 */
export async function publishedMetrics(run: () => Promise<unknown>): Promise<Map<string, number>> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
  try {
    await run();
  } finally {
    out.mockRestore();
    log.mockRestore();
  }
  const sums = new Map<string, number>();
  for (const line of lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"'))) {
    const emf = JSON.parse(line);
    for (const directive of emf._aws.CloudWatchMetrics)
      for (const { Name } of directive.Metrics) {
        const value: number | number[] = emf[Name];
        const total = Array.isArray(value) ? value.reduce((a, b) => a + b, 0) : value;
        sums.set(Name, (sums.get(Name) ?? 0) + total);
      }
  }
  return sums;
}
