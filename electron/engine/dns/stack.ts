// Composes the DNS layers for one message from its settings:
//   live → cache → overlay(zones) → budget → recorder   (normal)
//   overlay(zones, no base) → budget → recorder         (offline)
//   replay → recorder                                   (replay: the log already holds every outcome)
// The cache outlives messages (pass one in); the budget and the recorder are per message.

import type { DnsSettings } from '../../../shared/dns.ts';
import type { Resolver } from './resolver.ts';
import { LiveResolver } from './live-resolver.ts';
import { CacheResolver } from './cache-resolver.ts';
import { OverlayResolver } from './overlay-resolver.ts';
import { BudgetResolver } from './budget-resolver.ts';
import { RecordingResolver } from './recorder.ts';
import { ReplayResolver } from './replay-resolver.ts';
import { loadZones } from './zone-file.ts';
import { MemoryResolver } from './memory-resolver.ts';

export interface StackDeps {
  /** The network resolver (default: a LiveResolver from the settings); wrapped in a fresh cache when no cache is given. */
  live?: Resolver;
  /** A cache shared across evaluations; it already wraps its live resolver, so `live` is then unused. */
  cache?: CacheResolver;
}

export interface DnsStack {
  resolver: Resolver;
  recorder: RecordingResolver;
}

/** Throws ZoneSyntaxError (code bad-zone) for a zone that does not parse, ReplayFileError (bad-replay) for a bad log. */
export function buildResolver(settings: DnsSettings, deps: StackDeps = {}): DnsStack {
  if (settings.replay) {
    const recorder = new RecordingResolver(new ReplayResolver(settings.replay));
    return { resolver: recorder, recorder };
  }
  let base: Resolver | null = null;
  if (!settings.offline) {
    base =
      deps.cache ??
      new CacheResolver(deps.live ?? new LiveResolver({ servers: settings.servers, timeoutMs: settings.timeoutMs, tries: settings.tries }));
  }
  const zones = settings.zones ?? [];
  let resolver: Resolver;
  if (zones.length || !base) resolver = new OverlayResolver(loadZones(zones, new MemoryResolver('zone')), base);
  else resolver = base;
  resolver = new BudgetResolver(resolver, { maxQueries: settings.budget, deadlineMs: settings.deadlineMs });
  const recorder = new RecordingResolver(resolver);
  return { resolver: recorder, recorder };
}
