// Times Node commands, alternating them round by round, from a small process of its own: spawning
// from the bench itself (hundreds of MB, worker threads) added ~10-25 ms to every start-up, a
// cost of the harness that a user's shell does not pay.
// Usage: node bench/helpers/time-commands.ts SPEC.json → prints JSON { wall: number[][], cpu: number[] }
// SPEC: { cwd, runs, warmup, commands: [{ label, args, expect (RegExp source) }] }; each command
// runs warmup + runs times with process.execPath; a wrong exit code or output fails the timing.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

interface Spec {
  cwd: string;
  runs: number;
  warmup: number;
  commands: { label: string; args: string[]; expect: string }[];
}

/** CPU time (user + system) of this process's waited-for children, in ms; undefined off Linux. */
function childCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after the comm field: cutime and cstime are fields 16 and 17 of stat(5), i.e. index 13 and 14 here
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Spec;
const wall = spec.commands.map(() => [] as number[]);
const cpu: (number | null)[] = spec.commands.map(() => 0);
for (let i = 0; i < spec.warmup + spec.runs; i++) {
  for (const [j, c] of spec.commands.entries()) {
    const cpu0 = childCpuMs();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, c.args, { cwd: spec.cwd, encoding: 'utf8', timeout: 60_000 });
    const ms = performance.now() - t0;
    const cpu1 = childCpuMs();
    if (r.status !== 0 || !new RegExp(c.expect).test(r.stdout)) {
      process.stderr.write(`${c.label}: exit ${r.status}, ${r.stderr.slice(0, 500)} ${r.stdout.slice(0, 200)}\n`);
      process.exit(1);
    }
    // the warm-up rounds fill the compile cache and the page cache
    if (i < spec.warmup) continue;
    wall[j]!.push(ms);
    cpu[j] = cpu0 !== undefined && cpu1 !== undefined && cpu[j] !== null ? cpu[j]! + cpu1 - cpu0 : null;
  }
}
process.stdout.write(JSON.stringify({ wall, cpu: cpu.map((c) => (c === null ? null : c / spec.runs)) }) + '\n');
