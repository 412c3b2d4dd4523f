// Which header fields a signature covers, and what is risky about a choice.

/** RFC 6376 §5.4.1's recommended set, plus the MIME fields and RFC 8058's List-Unsubscribe-Post. */
export const DEFAULT_SIGNED_HEADERS = [
  'From', 'Reply-To', 'Subject', 'Date', 'To', 'Cc',
  'Resent-Date', 'Resent-From', 'Resent-To', 'Resent-Cc', 'Resent-Sender', 'Resent-Message-ID',
  'In-Reply-To', 'References',
  'List-Id', 'List-Help', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Subscribe', 'List-Post', 'List-Owner', 'List-Archive',
  'Message-ID', 'Sender', 'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding',
] as const;

/** Fields whose second instance would change what the reader sees: worth over-signing. */
export const OVERSIGN_OFFERED = ['From', 'To', 'Subject', 'Date', 'Message-ID', 'Reply-To', 'Cc'] as const;

export interface SignWarning {
  code: string;
  /** error: the signature will not do what the user wants; warning: a known risk; info: worth knowing. */
  severity: 'error' | 'warning' | 'info';
  message: string;
}

/** The header field names present in a message's header block, lower-case, in order. */
export function headerNames(message: Buffer): string[] {
  const end = headerEnd(message);
  const text = message.subarray(0, end).toString('latin1');
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line || line[0] === ' ' || line[0] === '\t') continue;
    const colon = line.indexOf(':');
    if (colon > 0) names.push(line.slice(0, colon).trim().toLowerCase());
  }
  return names;
}

export function headerEnd(message: Buffer): number {
  const crlf = message.indexOf('\r\n\r\n');
  const lf = message.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return message.length;
  if (crlf < 0) return lf;
  if (lf < 0) return crlf;
  return Math.min(crlf, lf);
}

/** Checks a header choice against the message; `From` unsigned is an error (RFC 6376 §5.4). */
export function reviewHeaders(present: string[], signed: string[], overSign: string[]): SignWarning[] {
  const w: SignWarning[] = [];
  const has = new Set(present);
  const signs = new Set(signed.map((h) => h.toLowerCase()));
  if (!signs.has('from')) {
    w.push({ code: 'from-not-signed', severity: 'error', message: 'From is not in the signed header list: RFC 6376 §5.4 requires it, and every verifier fails such a signature' });
  }
  if (!has.has('from')) {
    w.push({ code: 'no-from', severity: 'error', message: 'the message has no From header field: there is nothing to sign for DMARC to align with' });
  }
  if (has.has('list-unsubscribe-post') && (!signs.has('list-unsubscribe-post') || !signs.has('list-unsubscribe'))) {
    w.push({
      code: 'one-click-unsigned',
      severity: 'error',
      message: 'List-Unsubscribe-Post is present but List-Unsubscribe and List-Unsubscribe-Post are not both signed: RFC 8058 §4 requires a DKIM signature covering both, or receivers ignore one-click unsubscribe',
    });
  } else if (has.has('list-unsubscribe') && !signs.has('list-unsubscribe')) {
    w.push({ code: 'list-unsubscribe-unsigned', severity: 'warning', message: 'List-Unsubscribe is present but not signed: anyone relaying the message can change where unsubscribe requests go' });
  }
  const listOver = overSign.filter((h) => /^list-/i.test(h));
  if (listOver.length) {
    w.push({
      code: 'list-oversigned',
      severity: 'warning',
      message: `over-signing ${listOver.join(', ')}: mailing lists legitimately add List-* fields (RFC 2369, RFC 2919), so this signature breaks whenever the message goes through a list`,
    });
  }
  const important = ['subject', 'date', 'to', 'message-id', 'content-type', 'mime-version', 'reply-to', 'cc'];
  const unsigned = important.filter((h) => has.has(h) && !signs.has(h));
  if (unsigned.length) {
    w.push({ code: 'unsigned-important', severity: 'warning', message: `present but not signed, so they can be changed in transit: ${unsigned.join(', ')}` });
  }
  const dupes = [...new Set(present.filter((h, i) => present.indexOf(h) !== i))].filter((h) => ['from', 'subject', 'to', 'date', 'message-id'].includes(h));
  if (dupes.length) {
    w.push({ code: 'duplicate-fields', severity: 'warning', message: `the message has more than one ${dupes.join(', ')}: RFC 5322 allows one, and DMARC verifiers reject several From fields` });
  }
  return w;
}
