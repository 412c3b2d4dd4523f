// Milliseconds on a monotonic clock, for durations (DNS query times, the per-message DNS
// deadline). Not performance.now(): the global `performance` is a lazy getter that loads
// perf_hooks (~2 ms of every CLI start), and process.hrtime is already there.

export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
