// Recognises input that is not an e-mail message at all (images, archives, executables, random
// bytes), from the first 64 KB only, so a wrong file is turned away with a useful message.

/** Bytes looked at to decide whether the input is text. */
export const SNIFF_BYTES = 64 * 1024;

const MAGIC: { bytes: number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF document' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (or a .docx/.xlsx file)' },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: 'an empty ZIP archive' },
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file (decompress it first)' },
  { bytes: [0x42, 0x5a, 0x68], what: 'a bzip2-compressed file (decompress it first)' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'an xz-compressed file (decompress it first)' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd-compressed file (decompress it first)' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'an ELF executable' },
  { bytes: [0x4d, 0x5a], what: 'a Windows executable' },
  { bytes: [0xcf, 0xfa, 0xed, 0xfe], what: 'a macOS executable' },
  // Outlook saves messages as OLE compound documents; the headers inside are not the raw message.
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: 'an Outlook .msg file (an OLE compound document); save the message as .eml or copy its source instead' },
  { bytes: [0xff, 0xfe], what: 'UTF-16 text (little-endian); save it as UTF-8 or plain bytes' },
  { bytes: [0xfe, 0xff], what: 'UTF-16 text (big-endian); save it as UTF-8 or plain bytes' },
];

/** What the leading bytes say the input is, e.g. "a PNG image", or undefined. */
export function magicKind(buf: Buffer): string | undefined {
  for (const m of MAGIC) {
    if (buf.length >= m.bytes.length && m.bytes.every((b, i) => buf[i] === b)) return m.what;
  }
  return undefined;
}

// Control bytes that do not occur in text mail: all but tab, LF, FF, CR and ESC (ISO-2022
// escape sequences), and DEL. NUL is tested for on its own, before.
const CONTROL_BYTES = /[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]/g;

/**
 * Returns why the input is binary rather than text, or undefined when it looks like text.
 * Text mail may be 8-bit in any charset (Latin-1, raw ISO-2022-JP with ESC, Shift_JIS), so invalid
 * UTF-8 alone is not enough: binary data also carries a share of control bytes.
 */
export function binaryReason(buf: Buffer): string | undefined {
  const kind = magicKind(buf);
  if (kind) return `looks like ${kind}, not an e-mail message`;
  const head = buf.subarray(0, SNIFF_BYTES);
  if (head.length === 0) return undefined;
  const nul = head.indexOf(0);
  if (nul !== -1) return `contains NUL bytes (the first at byte ${nul}); e-mail messages are text`;
  // counted by one native scan: almost every message has no control byte at all, and a loop in
  // JS over up to 64 KB cost every message that much
  const control = head.toString('latin1').match(CONTROL_BYTES)?.length ?? 0;
  const controlShare = control / head.length;
  if (controlShare <= 0.005) return undefined; // text, whatever its charset: skip decoding
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  let invalid = 0;
  for (let i = text.indexOf('\ufffd'); i !== -1; i = text.indexOf('\ufffd', i + 1)) invalid++;
  const invalidShare = invalid / head.length;
  if (controlShare > 0.03 || invalidShare > 0.3) {
    return `does not look like text: ${pct(controlShare)} of the first ${kb(head.length)} are control bytes and ${pct(invalidShare)} are not valid UTF-8`;
  }
  return undefined;
}

/** A short description of what a text input starts with, for "no header fields" messages. */
export function describeText(buf: Buffer): string {
  const head = buf.subarray(0, 2048).toString('utf8').replace(/^\s+/, '');
  if (/^<!doctype html|^<html/i.test(head)) return 'looks like an HTML document';
  if (/<feedback[\s>]/.test(head) && /<report_metadata[\s>]/.test(head)) return 'looks like a DMARC aggregate report (XML), not a message';
  if (/^<\?xml/i.test(head)) return 'looks like an XML document';
  // DNS records pasted where a message goes: say where they belong
  if (/^"?v=DKIM1\b|^"?(?:[a-z]=[^;]*;\s*)*k=(?:rsa|ed25519)\s*;[^]*\bp=/i.test(head)) return 'looks like a DKIM key record; records go in a what-if zone (--zone, or the inspector’s What-if zone)';
  if (/^"?v=spf1\b/i.test(head)) return 'looks like an SPF record; records go in a what-if zone (--zone, or the inspector’s What-if zone)';
  if (/^"?v=DMARC1\b/i.test(head)) return 'looks like a DMARC record; records go in a what-if zone (--zone, or the inspector’s What-if zone)';
  // a master-file line: $ORIGIN/$TTL, or an owner name with class IN, or a dotted name with a TTL
  if (/^(?:\$ORIGIN\s|\$TTL\s|(?:@|[\w*-]+(?:\.[\w*-]+)*\.?)\s+(?:\d+\s+)?IN\s+(?:TXT|A|AAAA|MX|CNAME|NS|SOA)\s|[\w*-]+(?:\.[\w*-]+)+\.?\s+\d+\s+(?:TXT|A|AAAA|MX|CNAME|NS|SOA)\s)/.test(head)) return 'looks like a DNS zone file; give it with --zone (or paste it into the inspector’s What-if zone)';
  if (/^-----BEGIN /.test(head)) return 'looks like a PEM block (a key or certificate)';
  if (/^[{[]/.test(head)) return 'looks like JSON';
  const first = head.split(/\r?\n/, 1)[0] ?? '';
  return `starts with “${first.length > 60 ? `${first.slice(0, 60)}…` : first}”`;
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

function kb(n: number): string {
  return n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`;
}
