// Answers only from a saved query log, so a verdict can be reproduced exactly (--replay-dns),
// offline and years later. A question the log does not hold is answered SERVFAIL, not NXDOMAIN:
// the protocols turn SERVFAIL into a visible temperror, while a made-up NXDOMAIN would quietly
// become a different verdict (e.g. SPF "none") that looks genuine.

import { z } from 'zod';
import { RR_TYPES, type DnsAnswer, type DnsLogEntry, type DnsReplayFile, type RRType } from '../../../shared/dns.ts';
import { normalizeName, type Resolver } from './resolver.ts';

export class ReplayResolver implements Resolver {
  private readonly byKey = new Map<string, DnsLogEntry[]>();
  private readonly used = new Map<string, number>();

  /** Takes a parsed file or anything parseReplayFile accepts (validated: throws ReplayFileError). */
  constructor(file: DnsReplayFile | unknown) {
    const parsed = parseReplayFile(file);
    for (const e of parsed.entries) {
      const key = `${normalizeName(e.name)} ${e.type}`;
      const list = this.byKey.get(key);
      if (list) list.push(e);
      else this.byKey.set(key, [e]);
    }
  }

  async query(name: string, type: RRType): Promise<DnsAnswer> {
    const key = `${normalizeName(name)} ${type}`;
    const list = this.byKey.get(key);
    if (!list) {
      return { rcode: 'SERVFAIL', records: [], source: 'replay', error: `${normalizeName(name)} ${type} is not in the replay file` };
    }
    // The same question asked again gets the next recorded answer, then the last one again:
    // a run that saw an answer change (e.g. a retried timeout) replays the same way.
    const n = this.used.get(key) ?? 0;
    this.used.set(key, n + 1);
    const e = list[Math.min(n, list.length - 1)]!;
    const answer: DnsAnswer = { rcode: e.rcode, records: structuredClone(e.records), source: 'replay' };
    if (e.cnames?.length) answer.cnames = e.cnames.slice();
    if (e.error !== undefined) answer.error = e.error;
    return answer;
  }
}

export function toReplayFile(log: DnsLogEntry[], savedAt: Date = new Date()): DnsReplayFile {
  return { format: 'authlab-dns-replay', version: 1, savedAt: savedAt.toISOString(), entries: structuredClone(log) };
}

/** A replay file that cannot be used; `code` is the engine's input-error code. */
export class ReplayFileError extends Error {
  readonly code = 'bad-replay';
  constructor(message: string) {
    super(message);
    this.name = 'ReplayFileError';
  }
}

// Built on first use: only --replay-dns needs it, and building zod schemas at load time would put
// zod on every evaluation's start-up path (the bundled CLI loads zod lazily; see scripts/build-cli.mjs).
let replayFileSchema: ReturnType<typeof buildReplayFileSchema> | undefined;
function buildReplayFileSchema() {
  const rrType = z.enum(RR_TYPES as [RRType, ...RRType[]]);
  const record = z.discriminatedUnion('type', [
    z.object({ type: z.literal('TXT'), data: z.array(z.string()) }),
    z.object({ type: z.enum(['A', 'AAAA', 'PTR', 'CNAME', 'NS']), data: z.string() }),
    z.object({ type: z.literal('MX'), data: z.object({ preference: z.number().int().min(0).max(65535), exchange: z.string() }) }),
  ]);
  const entry = z.object({
    seq: z.number().int(),
    name: z.string(),
    type: rrType,
    rcode: z.enum(['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'FORMERR', 'NOTIMP', 'TIMEOUT', 'BUDGET', 'MALFORMED', 'NETWORK']),
    records: z.array(record),
    answers: z.array(z.string()),
    source: z.enum(['live', 'zone', 'cache', 'replay', 'offline', 'budget']),
    server: z.string().optional(),
    transport: z.enum(['udp', 'tcp']).optional(),
    cnames: z.array(z.string()).optional(),
    ms: z.number(),
    error: z.string().optional(),
  });
  const replayFile = z.object({
    format: z.literal('authlab-dns-replay'),
    version: z.literal(1),
    savedAt: z.string(),
    entries: z.array(entry),
  });
  return replayFile;
}

/** Validates a replay file (JSON text or the parsed value); errors name the offending field. */
export function parseReplayFile(input: unknown): DnsReplayFile {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new ReplayFileError(`replay file is not JSON: ${(err as Error).message}`);
    }
  }
  const head = value as { format?: unknown; version?: unknown } | null;
  if (typeof head !== 'object' || head === null || Array.isArray(head)) throw new ReplayFileError('replay file must be a JSON object');
  if (head.format !== 'authlab-dns-replay') {
    throw new ReplayFileError(`not an AuthLab DNS replay file: "format" is ${JSON.stringify(head.format)}, expected "authlab-dns-replay"`);
  }
  if (head.version !== 1) throw new ReplayFileError(`replay file version ${JSON.stringify(head.version)} is not supported (this AuthLab reads version 1)`);
  const r = (replayFileSchema ??= buildReplayFileSchema()).safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new ReplayFileError(`replay file: ${where || 'file'}: ${issue.message}${r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problems)` : ''}`);
  }
  return r.data as DnsReplayFile;
}
