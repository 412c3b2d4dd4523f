// Signing keys as everything outside the key store sees them: public parts only. The engine's key
// store, the CLI and the page share these types; the private half never has one here.

export const KEY_TYPES = ['rsa', 'ed25519'] as const;
export type KeyKind = (typeof KEY_TYPES)[number];
export const RSA_KEY_BITS = [1024, 2048, 4096] as const;

/** Everything about a key except its private half: safe to list, show and send to the page. */
export interface PublicKeyInfo {
  id: string;
  domain: string;
  selector: string;
  type: KeyKind;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
  /** RSA modulus length; 256 for Ed25519. */
  bits: number;
  /** ISO 8601. */
  created: string;
  origin: 'generated' | 'imported';
  /** The p= value: base64 SPKI for RSA, the raw 32-byte key for Ed25519 (RFC 8463 §4.2). */
  publicKey: string;
  /** selector._domainkey.domain (no trailing dot). */
  dnsName: string;
  /** The TXT value, unsplit: "v=DKIM1; k=rsa; p=…". */
  dnsValue: string;
  /** The zone-file line to publish, split into ≤255-byte strings. */
  dnsRecord: string;
}
