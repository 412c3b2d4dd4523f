'use strict';
// node:net, as the CLI bundle sees it (scripts/build-cli.mjs): isIP and isIPv4 answered here,
// everything else read from the real node:net, which is loaded on first such read.
// - isIP: Node's tries IPv4 then IPv6, and the first IPv6 test of a process compiles Node's IPv6
//   pattern, ~10 ms of a one-message `authlab check` (mailauth and the engine call isIP on domain
//   names, HELO names and Received values). Every IPv6 text has a colon, so text without one is
//   tested for IPv4 alone.
// - isIPv4: Node's own pattern (lib/internal/net.js), checked by hand, so a check that sees no IPv6
//   never loads node:net, which costs ~2 ms with what it pulls in.
// test/cli-shims.test.ts compares both with node:net, and KEYS with node:net's own.

// Node's IPv4 pattern (lib/internal/net.js: four decimal octets 0-255, no leading zero) checked by
// hand: compiling the pattern on its first use cost ~0.5 ms of a one-message check.
function isIPv4(input) {
  const s = `${input}`; // converted as Node's RegExpPrototypeExec converts it (a Symbol throws)
  let i = 0;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (s.charCodeAt(i) !== 46 /* . */) return false;
      i++;
    }
    const start = i;
    let value = 0;
    for (let c = s.charCodeAt(i); c >= 48 && c <= 57 && i - start < 4; c = s.charCodeAt(++i)) value = value * 10 + (c - 48);
    const digits = i - start;
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && s.charCodeAt(start) === 48)) return false;
  }
  return i === s.length;
}

function isIP(input) {
  const s = `${input}`;
  return s.includes(':') ? load().isIP(s) : isIPv4(s) ? 4 : 0;
}

let real;
const load = () => (real ??= require('node:net'));
const own = { isIP, isIPv4 };

/** node:net's exports (Node 24), listed so importers can copy them without loading it. */
const KEYS = [
  '_createServerHandle',
  '_normalizeArgs',
  'BlockList',
  'SocketAddress',
  'BoundSocket',
  'connect',
  'createConnection',
  'createServer',
  'isIP',
  'isIPv4',
  'isIPv6',
  'Server',
  'Socket',
  'Stream',
  'getDefaultAutoSelectFamily',
  'setDefaultAutoSelectFamily',
  'getDefaultAutoSelectFamilyAttemptTimeout',
  'setDefaultAutoSelectFamilyAttemptTimeout',
];

module.exports = new Proxy(Object.create(null), {
  get: (_, p) => (Object.hasOwn(own, p) ? own[p] : load()[p]),
  set: (_, p, v) => Reflect.set(load(), p, v),
  has: (_, p) => Object.hasOwn(own, p) || p in load(),
  ownKeys: () => KEYS,
  getOwnPropertyDescriptor: (_, p) => (KEYS.includes(p) ? { get: () => (Object.hasOwn(own, p) ? own[p] : load()[p]), enumerable: true, configurable: true } : undefined),
});
