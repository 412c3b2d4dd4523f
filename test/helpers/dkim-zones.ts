// Builds a MemoryResolver from the DNS tables of the DKIM conformance corpora
// (/work/shared/conformance/dkim/README.md describes the three formats).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryResolver } from '../../electron/engine/dns/memory-resolver.ts';

export type ZoneFormat = 'mail-dkim-fake-dns' | 'json-records' | 'json-zones';

export interface ZoneSpec {
  file: string;
  format: ZoneFormat;
  /** For json-zones: which named zone of the file. */
  zone?: string;
}

/** Mail::DKIM's t/FAKE_DNS.dat: `owner value` per line; unlisted names are NXDOMAIN. */
export function parseFakeDns(text: string): MemoryResolver {
  const r = new MemoryResolver('zone');
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || /^\s*[#;]/.test(line)) continue;
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1];
    const value = m[2].trim();
    if (value === 'NXDOMAIN') r.fail(name, 'NXDOMAIN');
    else if (value === '~~Query timed out~~') r.fail(name, 'TIMEOUT');
    else if (value === '~~SERVFAIL~~') r.fail(name, 'SERVFAIL');
    else if (value === '""') r.add(name, { type: 'TXT', data: [''] });
    else r.add(name, { type: 'TXT', data: [value] });
  }
  return r;
}

function fromTxtMap(map: Record<string, unknown>): MemoryResolver {
  const r = new MemoryResolver('zone');
  for (const [name, records] of Object.entries(map)) {
    if (name.startsWith('_') || !Array.isArray(records)) continue; // _source, _comment
    for (const rec of records) r.add(name, { type: 'TXT', data: Array.isArray(rec) ? rec.map(String) : [String(rec)] });
  }
  return r;
}

/** Loads one zone of the manifest; `baseDir` is the conformance folder the paths are relative to. */
export function loadZone(baseDir: string, spec: ZoneSpec): MemoryResolver {
  const text = readFileSync(path.join(baseDir, spec.file), 'utf8');
  switch (spec.format) {
    case 'mail-dkim-fake-dns':
      return parseFakeDns(text);
    case 'json-records':
      return fromTxtMap((JSON.parse(text) as { records: Record<string, unknown> }).records);
    case 'json-zones': {
      const zones = (JSON.parse(text) as { zones: Record<string, Record<string, unknown>> }).zones;
      const zone = spec.zone ? zones[spec.zone] : undefined;
      if (!zone) throw new Error(`zone ${spec.zone} not in ${spec.file}`);
      return fromTxtMap(zone);
    }
    default:
      throw new Error(`unknown zone format ${(spec as ZoneSpec).format}`);
  }
}
