// The one contract between the page and whatever hosts it (Electron main through the preload, or the
// loopback web host over HTTP). Everything that crosses is JSON-safe; message bytes travel as base64
// because DKIM is byte-exact and no string conversion may touch them.
//
// A new capability is: one method in `AuthlabApi`, its name in `API_METHODS`, one validator in
// `validators.ts`, one service function. Every method takes at most one argument.

import type { DnsSettings } from '../dns.ts';
import type { EvaluateOptions, MessageSlice } from '../evaluate-options.ts';
export type { MessageSlice };
import type { InputErrorCode, MessageOutcome, MessageReport, VerifyMode } from '../report.ts';

// ---------------------------------------------------------------- payload types

export interface EvaluationResult {
  container: 'message' | 'mbox';
  messages: MessageOutcome[];
  /** Set when the request named a slice: the position of the first message here, and how many the input holds. */
  slice?: { start: number; total: number };
  /**
   * Set while messages remain after a slice: the host keeps the input a while, and the next
   * slices name it (EvaluateRequest.inputRef) instead of sending its bytes again.
   */
  inputRef?: string;
}

export interface EvaluateRequest {
  /** The message (or mbox) bytes, standard base64 (RFC 4648 §4). Either this or inputRef. */
  messageBase64?: string;
  /** An input the host kept from an earlier slice (EvaluationResult.inputRef); 'input-expired' once it is gone. */
  inputRef?: string;
  fileName?: string;
  options: EvaluateOptions;
  dns: DnsSettings;
  /** Evaluate only these messages (default: every one). */
  slice?: MessageSlice;
}

export const EXPORT_FORMATS = ['json', 'markdown', 'html'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportRequest {
  format: ExportFormat;
  report: MessageReport;
}

export interface ExportedFile {
  fileName: string;
  mime: string;
  content: string;
}

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export interface AppSettings {
  /** "HOST" or "HOST:PORT" ("[v6]:PORT"); empty: the system's resolvers. */
  dnsServers: string[];
  /** Answer everything not in a what-if zone with NXDOMAIN; no network. */
  offline: boolean;
  timeoutMs: number;
  mode: VerifyMode;
  theme: Theme;
}

export const DEFAULT_SETTINGS: AppSettings = {
  dnsServers: [],
  offline: false,
  timeoutMs: 2500,
  mode: 'strict',
  theme: 'system',
};

/** What the page reports after an evaluation, for the Recent list. */
export interface RecentEntry {
  fileName: string;
  size?: number;
  verdict?: 'pass' | 'fail' | 'partial' | 'none';
  headline?: string;
}

export interface RecentItem extends RecentEntry {
  openedAt: string;
  /** Set by Electron main only, for files it opened from disk (Open Recent re-reads them). */
  path?: string;
}

/** A file handed to the page: from the open dialog, argv, macOS "Open With" or Open Recent. */
export interface OpenedFile {
  fileName: string;
  messageBase64: string;
  size: number;
}

export type OpenFileResult =
  | { supported: false }
  | { supported: true; canceled: true }
  | { supported: true; canceled: false; files: OpenedFile[] };

export interface SaveFileRequest {
  fileName: string;
  content: string;
}

export type SaveFileResult = { supported: false } | { supported: true; saved: false } | { supported: true; saved: true; path: string };

export interface AppInfo {
  version: string;
  shell: 'electron' | 'web';
  /** process.versions.node of the process running the services. */
  node: string;
  electron?: string;
}


// ---------------------------------------------------------------- the signing lab
// Keys cross as ids, metadata and public parts only; the private half stays with the host
// (key store encrypted at rest) and is returned by exportPrivateKey alone, on explicit request.

export const KEY_STORE_STATES = ['locked', 'unlocked', 'absent', 'corrupt'] as const;
export type KeyStoreState = (typeof KEY_STORE_STATES)[number];
/** passphrase: scrypt-derived key (web host, CLI); safeStorage: the OS keychain (desktop app);
 * safeStorage-basic-text: Linux without a keyring, where safeStorage only obfuscates. */
export type KeyProtection = 'passphrase' | 'safeStorage' | 'safeStorage-basic-text';

export interface KeyStoreStatus {
  /** absent: no key file yet (unlocking creates the store); corrupt: the file is unreadable and left untouched. */
  state: KeyStoreState;
  protection: KeyProtection;
  /** Something the user must know: keys not protected by a keyring, a store from the other app… */
  warning?: string;
  /** Why the store cannot be opened (state corrupt, or safeStorage failing). */
  error?: string;
  /** The key store file. */
  path: string;
}

export interface UnlockRequest {
  passphrase: string;
}

export { KEY_TYPES, RSA_KEY_BITS, type KeyKind, type PublicKeyInfo } from '../keys.ts';
import type { KeyKind, PublicKeyInfo } from '../keys.ts';

export interface GenerateKeyRequest {
  domain: string;
  selector: string;
  type: KeyKind;
  /** RSA only: 1024, 2048 (default) or 4096. */
  bits?: number;
}

export interface ImportKeyRequest {
  pem: string;
  domain: string;
  selector: string;
  /** For an encrypted PEM. */
  passphrase?: string;
}

export interface KeyIdRequest {
  id: string;
}

export interface PublishedCheckResult {
  status: 'absent' | 'matching' | 'different' | 'malformed' | 'unavailable';
  name: string;
  found: string[];
  detail: string;
}

export const CANONICALIZATION_CHOICES = ['relaxed/relaxed', 'relaxed/simple', 'simple/relaxed', 'simple/simple'] as const;
export type CanonicalizationChoice = (typeof CANONICALIZATION_CHOICES)[number];

export interface SigningRuleSpec {
  name?: string;
  match: { fromDomain?: string; envelopeDomain?: string; authUser?: string };
  sign: 'from-domain' | { keyId?: string; domain?: string; selector?: string }[];
}

export interface SignMessageRequest {
  /** The message, standard base64. */
  messageBase64: string;
  /** Keys to sign with, one signature each (dual RSA + Ed25519 allowed); or `rules` choose. */
  keyIds?: string[];
  rules?: SigningRuleSpec[];
  /** For the rules: MAIL FROM ('' for a bounce) and the authenticated user. */
  envelopeSender?: string;
  authUser?: string;
  canonicalization?: CanonicalizationChoice;
  /** Header fields to sign; default RFC 6376 §5.4.1's set. */
  headers?: string[];
  overSign?: string[];
  /** Add l=. */
  bodyLength?: boolean;
  /** i=. */
  identity?: string;
  /** x= this many seconds after t=. */
  expires?: number;
  /** Seal an ARC set after signing. */
  arc?: { keyId: string; authResults: string; cv?: 'none' | 'pass' | 'fail' };
  /** Also verify against live DNS. */
  live?: boolean;
}

export interface SignWarningInfo {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface SignatureInfo {
  keyId: string;
  domain: string;
  selector: string;
  algorithm: string;
  /** The DKIM-Signature field as added. */
  header: string;
}

export interface RuleDecisionInfo {
  matched: { index: number; name: string; by: string[] } | null;
  keys: PublicKeyInfo[];
  problems: string[];
  alignment: { keyId: string; d: string; fromDomain: string; relaxed: boolean; strict: boolean; explanation: string }[];
  explanation: string;
}

export interface RoundTripVerdict {
  /** zone: against the lab's key records as if published (offline); live: today's DNS. */
  against: 'zone' | 'live';
  /** Every signature made passes (and the ARC chain, when sealed). */
  pass: boolean;
  signatures: { domain: string; selector: string; result: string; reason: string }[];
  arc?: { result: string; reason: string };
  dmarc?: { result: string | null; reason: string };
  /** The full verification report of the signed message, null when it could not be evaluated. */
  report: MessageReport | null;
}

export interface SignMessageResult {
  signedBase64: string;
  signatures: SignatureInfo[];
  warnings: SignWarningInfo[];
  rule?: RuleDecisionInfo;
  arc?: { instance: number; cv: string; headers: string[] };
  roundTrip: RoundTripVerdict;
  live?: RoundTripVerdict;
}

export interface ExportKeyRequest {
  id: string;
  /** Must be true: exporting the private key is never implicit. */
  confirm: true;
}

export interface ExportedPrivateKey {
  id: string;
  fileName: string;
  /** PKCS#8 PEM, unencrypted. */
  pem: string;
}

// ---------------------------------------------------------------- the API

export interface AuthlabApi {
  evaluate(req: EvaluateRequest): Promise<EvaluationResult>;
  exportReport(req: ExportRequest): Promise<ExportedFile>;
  getSettings(): Promise<AppSettings>;
  setSettings(settings: AppSettings): Promise<AppSettings>;
  listRecent(): Promise<RecentItem[]>;
  addRecent(entry: RecentEntry): Promise<RecentItem[]>;
  /** Electron only; the web host answers { supported: false } and the page uses <input type=file>. */
  openFileDialog(): Promise<OpenFileResult>;
  /** Electron: a save dialog. Web: { supported: false } and the page downloads instead. */
  saveFile(req: SaveFileRequest): Promise<SaveFileResult>;
  appInfo(): Promise<AppInfo>;
  // The signing lab. Private keys stay with the host (safeStorage or a passphrase); only key ids
  // and public parts cross, except exportPrivateKey on explicit request.
  keyStoreStatus(): Promise<KeyStoreStatus>;
  /** Web host and CLI style: open (or create) the passphrase-protected store. Electron opens with safeStorage by itself. */
  unlockKeyStore(req: UnlockRequest): Promise<KeyStoreStatus>;
  listKeys(): Promise<PublicKeyInfo[]>;
  generateKey(req: GenerateKeyRequest): Promise<PublicKeyInfo>;
  importKey(req: ImportKeyRequest): Promise<PublicKeyInfo>;
  deleteKey(req: KeyIdRequest): Promise<PublicKeyInfo[]>;
  checkPublished(req: KeyIdRequest): Promise<PublishedCheckResult>;
  signMessage(req: SignMessageRequest): Promise<SignMessageResult>;
  exportPrivateKey(req: ExportKeyRequest): Promise<ExportedPrivateKey>;
}

export const API_METHODS = [
  'evaluate',
  'exportReport',
  'getSettings',
  'setSettings',
  'listRecent',
  'addRecent',
  'openFileDialog',
  'saveFile',
  'appInfo',
  'keyStoreStatus',
  'unlockKeyStore',
  'listKeys',
  'generateKey',
  'importKey',
  'deleteKey',
  'checkPublished',
  'signMessage',
  'exportPrivateKey',
] as const satisfies readonly (keyof AuthlabApi)[];

export type ApiMethod = (typeof API_METHODS)[number];

// Compile-time check that the list names every method of the interface (and nothing else).
type MissingFromList = Exclude<keyof AuthlabApi, ApiMethod>;
const _everyMethodListed: [MissingFromList] extends [never] ? true : MissingFromList = true;
void _everyMethodListed;

export type ApiRequest<M extends ApiMethod> = Parameters<AuthlabApi[M]> extends [infer R] ? R : undefined;
export type ApiResponse<M extends ApiMethod> = Awaited<ReturnType<AuthlabApi[M]>>;

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}

/** The web host's header carrying the per-run token (the page gets the token from `#token=` in its URL). */
export const TOKEN_HEADER = 'X-AuthLab-Token';

/** The Electron IPC channel of a method. */
export function channelOf(method: ApiMethod): string {
  return `authlab:${method}`;
}

// ---------------------------------------------------------------- events (main → page)

export type MenuCommand = 'open' | 'paste' | 'export-json' | 'export-markdown' | 'export-html';

export interface AuthlabEvents {
  /** Files from argv, macOS "Open With", the Open… menu or Open Recent. */
  'files-opened': OpenedFile[];
  'menu-command': MenuCommand;
}

export type EventName = keyof AuthlabEvents;
export const EVENT_NAMES = ['files-opened', 'menu-command'] as const satisfies readonly EventName[];

export function eventChannelOf(event: EventName): string {
  return `authlab-event:${event}`;
}

/** The API as the page uses it: errors are thrown as ApiCallError with `code`. In a browser `on` is a no-op. */
export interface AuthlabBridge extends AuthlabApi {
  on<E extends EventName>(event: E, listener: (payload: AuthlabEvents[E]) => void): () => void;
}

/**
 * What Electron's preload exposes as `window[PRELOAD_GLOBAL]`: every method resolves with the
 * envelope instead of throwing, because contextBridge copies only an Error's message across worlds
 * (custom properties such as `code` are lost). The page turns it into an AuthlabBridge with
 * `bridgeFromIpc`, which throws ApiCallError (with `code`) in the page's own world.
 */
export type AuthlabIpc = {
  [M in ApiMethod]: (...args: Parameters<AuthlabApi[M]>) => Promise<Envelope<ApiResponse<M>>>;
} & Pick<AuthlabBridge, 'on'>;

export const PRELOAD_GLOBAL = 'authlabIpc';

// ---------------------------------------------------------------- the envelope

export type ApiErrorCode =
  | 'invalid-request'
  | 'unknown-method'
  | 'unauthorized'
  | 'forbidden'
  | 'unsupported'
  | 'store-corrupt'
  // the signing lab's key store
  | 'locked'
  | 'wrong-passphrase'
  | 'io'
  | 'internal'
  // an EvaluateRequest.inputRef the host no longer holds: send the bytes again
  | 'input-expired'
  // from the engine: the input was rejected whole
  | InputErrorCode;

export interface ApiError {
  code: ApiErrorCode | (string & {});
  message: string;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function okEnvelope<T>(value: T): Envelope<T> {
  return { ok: true, value };
}

export function errorEnvelope(code: ApiError['code'], message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

/** An Error that keeps its code across the boundary. */
export class ApiCallError extends Error {
  code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ApiCallError';
    this.code = code;
  }
}

/** Turns anything thrown by a service into the envelope's error (a `.code` string is kept). */
export function toApiError(err: unknown): ApiError {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' && /^[a-z][a-z0-9-]{0,40}$/.test(e.code) ? e.code : 'internal';
    return { code, message: typeof e.message === 'string' ? e.message : String(err) };
  }
  return { code: 'internal', message: String(err) };
}

/** Returns the value or throws an ApiCallError carrying the code; rejects anything not an envelope. */
export function unwrapEnvelope<T>(envelope: unknown): T {
  if (envelope && typeof envelope === 'object' && 'ok' in envelope) {
    const e = envelope as Envelope<T>;
    if (e.ok === true) return e.value;
    if (e.ok === false && e.error && typeof e.error.message === 'string') {
      throw new ApiCallError(String(e.error.code), e.error.message);
    }
  }
  throw new ApiCallError('internal', 'malformed response from the host');
}

/** The page's Electron bridge: unwraps the preload's envelopes into values or ApiCallErrors. */
export function bridgeFromIpc(ipc: AuthlabIpc): AuthlabBridge {
  const bridge: Record<string, unknown> = {};
  for (const method of API_METHODS) {
    const fn = ipc[method] as (arg?: unknown) => Promise<unknown>;
    bridge[method] = async (arg?: unknown) => unwrapEnvelope(await fn(arg));
  }
  bridge.on = ipc.on;
  return bridge as unknown as AuthlabBridge;
}
