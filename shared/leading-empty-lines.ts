// Empty lines (LF or CRLF) pasted above a message's first header field. The engine removes them,
// as they would make an empty header block (the input's limitations say so), and the inspector,
// rebuilding the evaluated bytes from the file it holds, removes the same ones.

/** How many bytes of empty lines come before the first header field. */
export function leadingEmptyLines(bytes: Uint8Array): number {
  let start = 0;
  while (bytes[start] === 0x0a || (bytes[start] === 0x0d && bytes[start + 1] === 0x0a)) start += bytes[start] === 0x0d ? 2 : 1;
  return start;
}
