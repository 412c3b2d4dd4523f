// mailauth's parseHeaders (lib/tools.js), linear. mailauth joins a folded field's lines by copying
// the growing row and splicing the array once per continuation line, so a hostile header of n
// continuation lines costs n² (20,000 lines: 7 s; 100,000: 6 minutes). This reads the same rows
// in one pass, with the same test for where a field starts, and returns the very same result
// (test/linear-headers.test.ts holds it to mailauth's on every sample message and on fuzzed
// header blocks). installLinearHeaderParser() makes mailauth's message parser, the base of its DKIM
// verifier, signer and sealer, use it.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface ParsedHeaderRow {
  key: string | null;
  casedKey: string | undefined;
  line: Buffer;
}

// mailauth's own tests of a row (lib/tools.js): FIELD_START and lowerCaseASCII
const FIELD_START = /^[\x21-\x39\x3b-\x7e]+[ \t\r\n]*:/;
const NON_ASCII = /[^\x00-\x7f]/;
const lowerCaseASCII = (s: string) => (NON_ASCII.test(s) ? s.replace(/[A-Z]/g, (c) => c.toLowerCase()) : s.toLowerCase());

export function parseHeaders(buf: Buffer): { parsed: ParsedHeaderRow[]; original: Buffer } {
  const lines = buf.toString('binary').replace(/[\r\n]+$/, '').split(/\r?\n/);
  if (lines.length === 1 && !lines[0]) return { parsed: [], original: buf };

  // From the last line up, as mailauth goes: a line that does not start a field (judged on it and
  // the line after it, if that one was joined to it) joins the line above. `carry` holds the
  // lines joined so far, last first, so each line is moved once.
  const groups: string[][] = [];
  let carry: string[] = [];
  for (let i = lines.length - 1; i > 0; i--) {
    const next = carry.length ? carry[carry.length - 1] : undefined;
    if (FIELD_START.test(next === undefined ? lines[i]! : `${lines[i]}\r\n${next}`)) {
      groups.push([lines[i]!, ...carry.reverse()]);
      carry = [];
    } else {
      carry.push(lines[i]!);
    }
  }
  groups.push([lines[0]!, ...carry.reverse()]);
  groups.reverse();

  const parsed = groups.map((group): ParsedHeaderRow => {
    const row = group.join('\r\n');
    const name = row.match(/^[^:]+/);
    let key: string | null = null;
    let casedKey: string | undefined;
    if (name) {
      casedKey = name[0];
      if (casedKey.indexOf('\n') >= 0) casedKey = casedKey.replace(/\r?\n/g, '');
      casedKey = casedKey.replace(/^[ \t]+|[ \t]+$/g, '');
      key = lowerCaseASCII(casedKey);
    }
    return { key, casedKey, line: Buffer.from(row, 'binary') };
  });
  return { parsed, original: buf };
}

interface MessageParserPrototype {
  emitHeaders(this: MessageParserInstance, chunk?: Buffer): Promise<void>;
}
interface MessageParserInstance {
  state: string;
  headerChunks: Buffer[];
  headers: unknown;
  messageHeaders(headers: unknown): Promise<void>;
}

let installed = false;

/**
 * mailauth's MessageParser.emitHeaders with this parser: the same steps (state, last chunk, parse,
 * hand over). Idempotent; test/linear-headers.test.ts checks mailauth's method still reads so.
 */
export function installLinearHeaderParser(): void {
  if (installed) return;
  const { MessageParser } = require('mailauth/lib/dkim/message-parser.js') as { MessageParser: { prototype: MessageParserPrototype } };
  MessageParser.prototype.emitHeaders = async function emitHeaders(chunk?: Buffer) {
    this.state = 'body';
    if (chunk) this.headerChunks.push(chunk);
    this.headers = parseHeaders(Buffer.concat(this.headerChunks));
    await this.messageHeaders(this.headers);
  };
  installed = true;
}
