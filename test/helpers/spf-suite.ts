// Loads the OpenSPF test suite (YAML stream of scenarios) and turns a scenario's zonedata into a
// MemoryResolver the way the suite's drivers do (see ../shared/conformance/spf/README.md):
// names are case-insensitive, unlisted names are NXDOMAIN, SPF-type records are served as TXT
// unless the name lists TXT itself ("TXT: NONE" only stops that copy), and TIMEOUT makes every
// query of a type not listed for that name time out.

import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { MemoryResolver } from '../../electron/engine/dns/memory-resolver.ts';
import { normalizeName } from '../../electron/engine/dns/resolver.ts';

export interface SpfSuiteCase {
  scenario: string;
  name: string;
  description?: string;
  spec?: string;
  helo: string;
  host: string;
  mailfrom: string;
  /** Acceptable results. */
  results: string[];
  /** Expected explanation for a fail; "DEFAULT" means no exp= explanation applies. */
  explanation?: string;
}

export interface SpfScenario {
  description: string;
  cases: SpfSuiteCase[];
  zonedata: Record<string, unknown[]>;
}

export function loadSpfSuite(file: string): SpfScenario[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: SpfScenario[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    const d = doc.toJS() as { description?: string; tests?: Record<string, Record<string, unknown>>; zonedata?: Record<string, unknown[]> } | null;
    if (!d || !d.tests) continue;
    const description = String(d.description ?? '');
    const cases = Object.entries(d.tests).map(([name, t]) => {
      const c: SpfSuiteCase = {
        scenario: description,
        name,
        helo: String(t.helo ?? ''),
        host: String(t.host ?? ''),
        mailfrom: String(t.mailfrom ?? ''),
        results: ([] as unknown[]).concat(t.result).map((r) => String(r).toLowerCase()),
      };
      if (t.description) c.description = String(t.description);
      if (t.spec !== undefined) c.spec = String(t.spec);
      if (t.explanation !== undefined) c.explanation = String(t.explanation);
      return c;
    });
    out.push({ description, cases, zonedata: d.zonedata ?? {} });
  }
  return out;
}

const str = (v: unknown) => String(v);

/** A resolver answering exactly as the suite's zonedata says. */
export function zoneResolver(zonedata: Record<string, unknown[]>): MemoryResolver {
  const r = new MemoryResolver('zone');
  for (const [name, entries] of Object.entries(zonedata ?? {})) {
    const key = normalizeName(name);
    // a listed name exists (NODATA for absent types), even with no records at all
    if (!r.names.has(key)) r.names.set(key, new Map());
    let timeout = false;
    let txtListed = false;
    const spf: string[][] = [];
    for (const e of entries ?? []) {
      if (e === 'TIMEOUT') {
        timeout = true;
        continue;
      }
      if (typeof e !== 'object' || e === null) throw new Error(`zonedata ${name}: unexpected entry ${JSON.stringify(e)}`);
      for (const [type, value] of Object.entries(e as Record<string, unknown>)) {
        const strings = (v: unknown) => (Array.isArray(v) ? v.map(str) : [str(v)]);
        switch (type.toUpperCase()) {
          case 'SPF':
            if (value !== 'NONE') spf.push(strings(value));
            break;
          case 'TXT':
            txtListed = true;
            if (value !== 'NONE') r.add(name, { type: 'TXT', data: strings(value) });
            break;
          case 'MX': {
            const [pref, exchange] = value as [number, string];
            r.add(name, { type: 'MX', data: { preference: Number(pref), exchange: str(exchange ?? '') } });
            break;
          }
          case 'A':
          case 'AAAA':
          case 'PTR':
          case 'CNAME':
            r.add(name, { type: type.toUpperCase() as 'A', data: str(value) });
            break;
          default:
            throw new Error(`zonedata ${name}: unknown record type ${type}`);
        }
      }
    }
    if (!txtListed) for (const s of spf) r.add(name, { type: 'TXT', data: s });
    if (timeout) r.fail(name, 'TIMEOUT');
  }
  return r;
}
