'use strict';
// joi, as the CLI bundle sees it (scripts/build-cli.mjs). mailauth builds Joi schemas when it
// loads and validates every DKIM key's p= with `Joi.string().base64({ paddingRequired: false })`,
// so a one-message `authlab check` loaded all of Joi (~20 ms of its cold start) for one regex.
// Here schemas are recorded, not built; that one schema answers a valid key itself, with Joi's
// own test (below); anything else — another schema, options, a value it would reject — is
// handed to real Joi, loaded then, so every error is Joi's own. test/cli-shims.test.ts holds
// this to real Joi, value by value.

// Real Joi is the one mailauth would load, from node_modules, outside the bundle: its ~200 KB
// (with @hapi/*) are not read or compiled at start-up when nothing needs them.
const { createRequire } = require('node:module');
let real;
const FROM = 'mailauth'; // a name, not a literal: esbuild would try to bundle a literal require.resolve
const joi = () => (real ??= createRequire(require.resolve(FROM))('joi'));

// Joi 18 lib/types/string.js, internals.base64Regex[paddingRequired = false][urlSafe = false]
const BASE64_UNPADDED = /^(?:[A-Za-z0-9+\/]{2}[A-Za-z0-9+\/]{2})*(?:[A-Za-z0-9+\/]{2}(==)?|[A-Za-z0-9+\/]{3}=?)?$/;

/** True when `steps` is exactly string().base64({ paddingRequired: false }). */
function isUnpaddedBase64(steps) {
  if (steps.length !== 2 || steps[0][0] !== 'string' || steps[0][1].length !== 0 || steps[1][0] !== 'base64') return false;
  const args = steps[1][1];
  if (args.length !== 1 || !args[0] || typeof args[0] !== 'object') return false;
  const keys = Object.keys(args[0]);
  return keys.length === 1 && keys[0] === 'paddingRequired' && args[0].paddingRequired === false;
}

/** A schema as a list of builder calls ([method, args]); built on real Joi only when needed. */
function schema(steps) {
  let built;
  const build = () => (built ??= steps.reduce((s, [method, args]) => s[method](...args), joi()));
  const fast = isUnpaddedBase64(steps);
  return new Proxy(Object.create(null), {
    get(_, prop) {
      if (prop === 'validate') {
        return (value, ...rest) => {
          // Joi's string(): a non-empty string; base64: the regex. Success is { value } alone.
          if (fast && rest.length === 0 && typeof value === 'string' && value !== '' && BASE64_UNPADDED.test(value)) return { value };
          return build().validate(value, ...rest);
        };
      }
      if (typeof prop === 'symbol' || built) return Reflect.get(build(), prop);
      return (...args) => schema([...steps, [prop, args]]);
    },
  });
}

module.exports = new Proxy(Object.create(null), {
  get(_, prop) {
    if (prop === 'string') return (...args) => schema([['string', args]]);
    return Reflect.get(joi(), prop);
  },
  has: (_, prop) => prop in joi(),
});
