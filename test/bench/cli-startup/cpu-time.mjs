// Preloaded with `node --import` by the CLI start-up bench: writes the CPU
// time the process used (user + system, every thread: the main one, the
// compiler's and the garbage collector's), in milliseconds, to the file in
// CPU_TIME_FILE as it exits. Unlike wall time, it hardly moves when other
// processes load the machine.
import { writeFileSync } from 'node:fs';

const out = process.env.CPU_TIME_FILE;
if (out) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(out, String((user + system) / 1000));
  });
}
