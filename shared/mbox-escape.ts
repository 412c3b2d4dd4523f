// mboxrd quoting: a body line that starts with "From " is stored as ">From ", and ">From " as
// ">>From ". Shared by the engine, which reads an mbox, and the inspector, which rebuilds a
// message's evaluated bytes from its slice of the file.

const GT = 0x3e;
const LF = 0x0a;
const FROM_ = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "

/** Removes one '>' from every line that is one or more '>' and then "From " (the input itself when there is none). */
export function unescapeFromLines(msg: Uint8Array): Uint8Array {
  const cuts: number[] = [];
  // found by their '>' (a native search; quoted lines are far fewer than lines)
  for (let start = msg.indexOf(GT); start !== -1; ) {
    let p = start;
    while (msg[p] === GT) p++;
    if ((start === 0 || msg[start - 1] === LF) && FROM_.every((b, k) => msg[p + k] === b)) cuts.push(start);
    start = msg.indexOf(GT, p);
  }
  if (!cuts.length) return msg;
  const out = new Uint8Array(msg.length - cuts.length);
  let from = 0;
  let at = 0;
  for (const cut of cuts) {
    out.set(msg.subarray(from, cut), at);
    at += cut - from;
    from = cut + 1;
  }
  out.set(msg.subarray(from), at);
  return out;
}
