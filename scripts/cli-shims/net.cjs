'use strict';
// node:net, as the CLI bundle sees it (scripts/build-cli.mjs): the same module with an isIP that
// tests IPv4 alone when there is no colon. Node's isIP tries IPv4 then IPv6, and the first IPv6
// test of a process compiles Node's IPv6 pattern, ~10 ms of a one-message `authlab check` (mailauth
// and the engine call isIP on domain names, HELO names and Received values). Every IPv6 text has a
// colon, so the answer is the same: test/cli-shims.test.ts compares the two.

const net = require('node:net');

function isIP(input) {
  const s = `${input}`; // RegExp#test's string conversion, as Node's isIPv4/isIPv6 apply it
  return s.includes(':') ? net.isIP(s) : net.isIPv4(s) ? 4 : 0;
}

// node:net's own properties as they are (BlockList and SocketAddress are lazy getters, left unread)
module.exports = Object.defineProperties({}, {
  ...Object.getOwnPropertyDescriptors(net),
  isIP: { value: isIP, enumerable: true, writable: true, configurable: true },
});
