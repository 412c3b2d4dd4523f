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
  /** Ends the message's timers (call when the message is done). */
  close?: () => void;
}

// Every message of a batch brings the same what-if zones: load them into one read-only store.
// (Lookups hand out copies of the record lists, never the store's own.)
const ZONE_STORES_MAX = 8;
const ZONE_STORE_MAX_CHARS = 1 << 20;
const zoneStores = new Map<string, MemoryResolver>();
function zoneResolver(zones: { name: string; text: string }[]): MemoryResolver {
  const size = zones.reduce((n, z) => n + z.name.length + z.text.length, 0);
  if (size > ZONE_STORE_MAX_CHARS) return loadZones(zones, new MemoryResolver('zone'));
  const key = zones.map((z) => `${z.name}\0${z.text}`).join('\0\0');
  let store = zoneStores.get(key);
  if (!store) {
    store = loadZones(zones, new MemoryResolver('zone'));
    if (zoneStores.size >= ZONE_STORES_MAX) zoneStores.delete(zoneStores.keys().next().value!);
    zoneStores.set(key, store);
  }
  return store;
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
  if (zones.length || !base) resolver = new OverlayResolver(zoneResolver(zones), base);
  else resolver = base;
  const budget = new BudgetResolver(resolver, { maxQueries: settings.budget, deadlineMs: settings.deadlineMs });
  const recorder = new RecordingResolver(budget);
  return { resolver: recorder, recorder, close: () => budget.close() };
}
