// The wait between two Received hops, said the same way by the CLI and the inspector.

/**
 * "+45 s", "+3 min", "+2.5 h", "+3.2 days". A negative delay means the later hop stamped an
 * earlier time than the hop below it (clocks out of step, or a forged header): said so, never "+-".
 */
export function formatHopDelay(seconds: number): string {
  const abs = Math.abs(seconds);
  const size =
    abs < 120 ? `${abs} s` : abs < 7200 ? `${Math.round(abs / 60)} min` : abs < 172_800 ? `${(abs / 3600).toFixed(1)} h` : `${(abs / 86_400).toFixed(1)} days`;
  return seconds < 0 ? `−${size}, before the hop below it (clock skew)` : `+${size}`;
}
