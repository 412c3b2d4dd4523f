// SPF record syntax (RFC 7208 §4.5, §4.6.1, §5, §6, §12): record selection, the term parser
// that checks the whole record before evaluation, and plain-language term descriptions for the UI.

import { isIPv6 } from 'node:net';
import { checkDomainSpec, MacroSyntaxError, parseMacroString, TOPLABEL } from './spf-macro.ts';
import { parseIp, type SpfIp } from './spf-ip.ts';

export type SpfQualifier = '+' | '-' | '~' | '?';
export const MECHANISMS = ['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'] as const;
/** Terms that cost a DNS lookup against the limit of 10 (RFC 7208 §4.6.4). */
export const LOOKUP_TERMS = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);

export interface ParsedTerm {
  text: string;
  kind: 'mechanism' | 'modifier';
  /** Lower-case mechanism or modifier name; "unknown" for an unknown modifier or mechanism. */
  name: string;
  /** Mechanisms only: the written qualifier, or "+" when none is written. */
  qualifier?: SpfQualifier;
  /** The domain-spec of include/a/mx/ptr/exists/redirect/exp, as written (macros unexpanded). */
  domainSpec?: string;
  cidr4?: number;
  cidr6?: number;
  /** ip4:/ip6: network and prefix length. */
  network?: SpfIp;
  prefix?: number;
  /** Unknown modifiers: the name as written and the value. */
  modifierName?: string;
  value?: string;
  /** Why the term is not valid SPF syntax. */
  error?: string;
}

export interface ParsedRecord {
  terms: ParsedTerm[];
  /** The first syntax problem of the record (the record is then a permerror). */
  error?: string;
  /** Index of the term at fault, when one term is. */
  errorTerm?: number;
}

/** A TXT record is an SPF record if it starts with "v=spf1" followed by a space or its end (§4.5). */
export function isSpfRecord(txt: string): boolean {
  return /^v=spf1(?: |$)/i.test(txt);
}

const MODIFIER_NAME = /^[a-z][a-z0-9\-_.]*$/i;
const QNUM = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IP4_NETWORK = new RegExp(`^${QNUM}(?:\\.${QNUM}){3}$`);
const DUAL_CIDR = /^(?::(.+?))?(?:\/([0-9]+))?(?:\/\/([0-9]+))?$/s;

class TermError extends Error {}

function cidr(value: string | undefined, max: number, family: 'ip4' | 'ip6'): number | undefined {
  if (value === undefined) return undefined;
  // ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT); ip6 allows up to 3 digits; no leading zeros
  if (!/^(?:0|[1-9][0-9]*)$/.test(value) || Number(value) > max) {
    throw new TermError(`/${value} is not a valid ${family === 'ip4' ? 'IPv4' : 'IPv6'} prefix length (0 to ${max}, no leading zeros)`);
  }
  return Number(value);
}

function domainSpec(spec: string): string {
  try {
    checkDomainSpec(spec);
  } catch (e) {
    if (e instanceof MacroSyntaxError) throw new TermError(e.message);
    throw e;
  }
  return spec;
}

function parseMechanism(text: string, term: ParsedTerm): void {
  const m = /^([+\-?~]?)([^:/]*)(.*)$/s.exec(text)!;
  term.qualifier = (m[1] || '+') as SpfQualifier;
  const name = m[2]!.toLowerCase();
  const rest = m[3]!;
  term.name = (MECHANISMS as readonly string[]).includes(name) ? name : 'unknown';
  switch (name) {
    case 'all':
      if (rest) throw new TermError(`"all" takes no value ("${text}")`);
      return;
    case 'include':
    case 'exists':
      if (!rest.startsWith(':') || rest.length === 1) throw new TermError(`"${name}" needs a domain: ${name}:<domain>`);
      term.domainSpec = domainSpec(rest.slice(1));
      return;
    case 'a':
    case 'mx': {
      const parts = DUAL_CIDR.exec(rest);
      if (!parts) throw new TermError(`"${text}" is not ${name}[:<domain>][/<ip4-cidr>][//<ip6-cidr>]`);
      if (parts[1] !== undefined) term.domainSpec = domainSpec(parts[1]);
      term.cidr4 = cidr(parts[2], 32, 'ip4');
      term.cidr6 = cidr(parts[3], 128, 'ip6');
      return;
    }
    case 'ptr':
      if (!rest) return;
      if (!rest.startsWith(':') || rest.length === 1) throw new TermError(`"${text}" is not ptr[:<domain>] (no prefix length is allowed)`);
      term.domainSpec = domainSpec(rest.slice(1));
      return;
    case 'ip4': {
      const parts = /^:([^/]+)(?:\/(.*))?$/s.exec(rest);
      if (!parts || !IP4_NETWORK.test(parts[1]!)) throw new TermError(`"${text}" is not ip4:<dotted-quad>[/<prefix>]`);
      term.network = parseIp(parts[1]!)!;
      term.prefix = cidr(parts[2], 32, 'ip4') ?? 32;
      return;
    }
    case 'ip6': {
      const parts = /^:([0-9a-f:.]+)(?:\/(.*))?$/is.exec(rest);
      if (!parts || !isIPv6(parts[1]!)) throw new TermError(`"${text}" is not ip6:<IPv6 address>[/<prefix>]`);
      term.network = parseIp(parts[1]!, { unmap: false })!;
      term.prefix = cidr(parts[2], 128, 'ip6') ?? 128;
      return;
    }
    case 'redirect':
    case 'exp':
      throw new TermError(`${name} is a modifier: write ${name}=<domain>`);
    default:
      if (/[^\x20-\x7e]/.test(text)) throw new TermError(`"${text}" contains a character that is not printable ASCII`);
      throw new TermError(`unknown mechanism "${m[2]}"`);
  }
}

/** Parses one term; a syntax problem is returned in `error`, never thrown. */
export function parseSpfTerm(text: string): ParsedTerm {
  const eq = text.indexOf('=');
  const sep = text.search(/[:/]/);
  const isModifier = eq >= 0 && (sep < 0 || eq < sep);
  const term: ParsedTerm = { text, kind: isModifier ? 'modifier' : 'mechanism', name: 'unknown' };
  try {
    if (!isModifier) {
      parseMechanism(text, term);
      return term;
    }
    const name = text.slice(0, eq);
    const value = text.slice(eq + 1);
    const lower = name.toLowerCase();
    if (lower === 'redirect' || lower === 'exp') {
      term.name = lower;
      if (!value) throw new TermError(`${lower}= needs a domain`);
      term.domainSpec = domainSpec(value);
      return term;
    }
    term.modifierName = name;
    term.value = value;
    if (!MODIFIER_NAME.test(name)) throw new TermError(name ? `"${name}" is not a valid modifier name (a letter, then letters, digits, - _ .)` : `"${text}" has no modifier name`);
    try {
      // unknown-modifier = name "=" macro-string; its value is never expanded
      parseMacroString(value, { anyLetter: true });
    } catch (e) {
      if (e instanceof MacroSyntaxError) throw new TermError(`value of ${name}=: ${e.message}`);
      throw e;
    }
  } catch (e) {
    if (!(e instanceof TermError)) throw e;
    term.error = e.message;
  }
  return term;
}

/** Parses an SPF record ("v=spf1 …"): terms are separated by one or more spaces only (§4.6.1). */
export function parseSpfRecord(record: string): ParsedRecord {
  const body = record.replace(/^v=spf1/i, '');
  const terms = body
    .split(' ')
    .filter((t) => t !== '')
    .map(parseSpfTerm);
  const out: ParsedRecord = { terms };
  const bad = terms.findIndex((t) => t.error);
  if (bad >= 0) {
    out.error = `${terms[bad]!.text}: ${terms[bad]!.error}`;
    out.errorTerm = bad;
    return out;
  }
  for (const mod of ['redirect', 'exp']) {
    const idx = terms.flatMap((t, i) => (t.name === mod ? [i] : []));
    if (idx.length > 1) {
      const second = terms[idx[1]!]!;
      second.error = `${mod}= appears more than once (RFC 7208 §6)`;
      out.error = `${mod}= appears ${idx.length} times; it may appear at most once (RFC 7208 §6)`;
      out.errorTerm = idx[1];
      return out;
    }
  }
  return out;
}

/**
 * Checks an expanded target name can be queried: at most 253 characters, two or more labels of
 * 1–63 printable characters (macros may produce spaces) and a valid top label.
 */
export function targetNameProblem(name: string): string | undefined {
  if (!name) return 'the name is empty';
  if (name.length > 253) return 'the name is longer than 253 characters';
  const labels = name.split('.');
  if (labels.length < 2) return `"${name}" is a single label, not a domain name`;
  for (const l of labels) {
    if (!l) return `"${name}" has an empty label`;
    if (l.length > 63) return `"${name}" has a label longer than 63 characters`;
    if (!/^[\x20-\x2d\x2f-\x7e]+$/.test(l)) return `"${name}" contains characters a DNS name cannot carry here`;
  }
  if (!TOPLABEL.test(labels[labels.length - 1]!)) return `"${name}" does not end in a valid top-level label`;
  return undefined;
}

const QUALIFIER_WORD: Record<SpfQualifier, 'pass' | 'fail' | 'softfail' | 'neutral'> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

export function qualifierResult(q: SpfQualifier): 'pass' | 'fail' | 'softfail' | 'neutral' {
  return QUALIFIER_WORD[q];
}

/** A plain-language explanation of one term, for the UI (hover text, the trace's side panel). */
export function describeSpfTerm(term: string | { text: string }): string {
  const t = parseSpfTerm(typeof term === 'string' ? term : term.text);
  if (t.error) return `Not valid SPF syntax: ${t.error}. Any syntax error makes the whole record a permerror (RFC 7208 §4.6).`;
  const on = t.qualifier ? ` If it matches, the result is ${QUALIFIER_WORD[t.qualifier]}${t.qualifier === '+' ? '' : ` (qualifier "${t.qualifier}")`}.` : '';
  const target = t.domainSpec ?? 'the domain being checked';
  const macro = t.domainSpec?.includes('%') ? ' The domain contains macros, expanded for each message (RFC 7208 §7).' : '';
  const dual = (t.cidr4 !== undefined ? ` IPv4 addresses are compared as /${t.cidr4} networks.` : '') + (t.cidr6 !== undefined ? ` IPv6 addresses are compared as /${t.cidr6} networks.` : '');
  switch (t.name) {
    case 'all':
      return `Matches every client.${on} Placed last, it sets the result for everyone the earlier terms did not match.`;
    case 'include':
      return `Evaluates the SPF record of ${target} and matches only if that record gives pass; fail, softfail and neutral there mean "no match" here, errors there are errors here.${on}${macro} Costs one DNS lookup, plus every lookup of that record, against the limit of 10.`;
    case 'a':
      return `Matches if the client's address is one of the ${t.domainSpec ? '' : 'own '}A (IPv4) or AAAA (IPv6) addresses of ${target}.${dual}${on}${macro} Costs one DNS lookup.`;
    case 'mx':
      return `Matches if the client's address is an address of one of the mail exchangers (MX) of ${target}.${dual}${on}${macro} Costs one DNS lookup; at most 10 MX hosts may be looked up.`;
    case 'ptr':
      return `Matches if the client's reverse DNS name (validated by a forward lookup) is ${target} or ends in it.${on}${macro} Slow and unreliable: RFC 7208 §5.5 says not to use it. Costs one DNS lookup.`;
    case 'ip4':
    case 'ip6':
      return `Matches if the client's address is in ${t.text.slice(4)}${t.prefix === (t.name === 'ip4' ? 32 : 128) ? ' (that single address)' : ''}.${on} No DNS lookup.`;
    case 'exists':
      return `Matches if ${target} has any A record, whatever the address.${on}${macro} Costs one DNS lookup.`;
    case 'redirect':
      return `If no mechanism matched, the result is that of the SPF record of ${target} (ignored when the record has an "all" mechanism). Costs one DNS lookup.${macro}`;
    case 'exp':
      return `On fail, the explanation shown to the sender is the TXT record of ${target}, with its macros expanded. Not counted against the lookup limit.${macro}`;
    default:
      return `Unknown modifier "${t.modifierName}": ignored, as RFC 7208 §6 requires.`;
  }
}
