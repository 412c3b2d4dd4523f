// Loads the ValiMail ARC validation suite (../shared/conformance/arc). The file repeats four test
// names within one scenario; a plain YAML-to-object load keeps only the last of each, so the
// test maps are walked as YAML nodes and a repeated name's first entry becomes `<name>~first`.

import { readFileSync } from 'node:fs';
import { isMap, isScalar, parseAllDocuments, type YAMLMap } from 'yaml';
import { MemoryResolver } from '../../electron/engine/dns/memory-resolver.ts';

export interface ArcSuiteTest {
  scenario: string;
  name: string;
  description?: string;
  spec?: string;
  /** The message with CRLF line ends, as it travels over SMTP. */
  message: Buffer;
  /** Expected chain validation status; the suite's empty cv (newest seal says cv=fail) is read as fail. */
  cv: 'pass' | 'fail' | 'none';
  /** A zone holding only the scenario's txt-records (everything else NXDOMAIN). */
  resolver: MemoryResolver;
}

/** Cuts a TXT value into 255-octet character-strings, as the suite's DNS driver serves it. */
function txtStrings(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += 255) out.push(value.slice(i, i + 255));
  return out.length ? out : [''];
}

export function loadArcValidationSuite(file: string): ArcSuiteTest[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: false });
  const tests: ArcSuiteTest[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const root = doc.contents;
    if (!isMap(root)) continue;
    const scenario = String(root.get('description') ?? '').trim();
    const resolver = new MemoryResolver();
    const records = root.get('txt-records');
    if (isMap(records)) {
      for (const pair of records.items) {
        const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
        const value = String(isScalar(pair.value) ? pair.value.value : pair.value);
        resolver.add(name, { type: 'TXT', data: txtStrings(value) });
      }
    }
    const testMap = root.get('tests') as YAMLMap | undefined;
    if (!isMap(testMap)) continue;
    const names = testMap.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key));
    testMap.items.forEach((pair, idx) => {
      const name = names[idx];
      const repeatedLater = names.indexOf(name, idx + 1) !== -1;
      const entry = pair.value;
      if (!isMap(entry)) return;
      const message = String(entry.get('message') ?? '');
      const cv = String(entry.get('cv') ?? '').trim().toLowerCase();
      tests.push({
        scenario,
        name: repeatedLater ? `${name}~first` : name,
        description: entry.get('description') as string | undefined,
        spec: entry.get('spec') === undefined ? undefined : String(entry.get('spec')),
        message: Buffer.from(message.replace(/\r?\n/g, '\r\n'), 'utf8'),
        cv: cv === 'pass' ? 'pass' : cv === 'none' ? 'none' : 'fail',
        resolver,
      });
    });
  }
  return tests;
}

export interface ArcSigningScenario {
  description: string;
  domain: string;
  selector: string;
  privateKey: string;
  /** The scenario's txt-records as a zone file (each value cut into 255-octet strings, as the suite's DNS driver serves it). */
  zone: string;
  tests: ArcSigningTest[];
}

export interface ArcSigningTest {
  name: string;
  description?: string;
  /** The message with CRLF line ends. */
  message: Buffer;
  /** Signing time, Unix seconds. */
  t: number;
  /** Header fields the ARC-Message-Signature covers. */
  sigHeaders: string[];
  /** The sealer's authserv-id: its Authentication-Results are what the AAR carries. */
  srvId: string;
  /** Expected field values (tag order normalized by the suite); all three empty: no set is added. */
  AS: string;
  AMS: string;
  AAR: string;
}

/** A zone-file character-string: quotes and backslashes escaped, other bytes outside printable ASCII as \\DDD (RFC 1035 §5.1). */
function quoteTxt(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&').replace(/[^\x20-\x7e]/g, (c) => `\\${String(c.charCodeAt(0)).padStart(3, '0')}`)}"`;
}

/** Loads the ValiMail ARC signing suite (arc-draft-sign-tests.yml): scenarios, each with its key and DNS. */
export function loadArcSigningSuite(file: string): ArcSigningScenario[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const scenarios: ArcSigningScenario[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const root = doc.toJS() as Record<string, unknown>;
    const records = (root['txt-records'] ?? {}) as Record<string, string>;
    const zone = Object.entries(records)
      .map(([name, value]) => `${name.replace(/\.?$/, '.')} IN TXT ${txtStrings(String(value).trim()).map(quoteTxt).join(' ')}`)
      .join('\n');
    const tests = Object.entries((root.tests ?? {}) as Record<string, Record<string, unknown>>).map(([name, t]) => ({
      name,
      description: t.description as string | undefined,
      message: Buffer.from(String(t.message ?? '').replace(/\r?\n/g, '\r\n'), 'utf8'),
      t: Number(t.t),
      sigHeaders: String(t['sig-headers'] ?? '').split(':').map((h) => h.trim()).filter(Boolean),
      srvId: String(t['srv-id'] ?? ''),
      AS: String(t.AS ?? '').trim(),
      AMS: String(t.AMS ?? '').trim(),
      AAR: String(t.AAR ?? '').trim(),
    }));
    scenarios.push({
      description: String(root.description ?? '').trim(),
      domain: String(root.domain),
      selector: String(root.sel),
      privateKey: String(root.privatekey),
      zone: zone + '\n',
      tests,
    });
  }
  return scenarios;
}
