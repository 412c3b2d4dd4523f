// The page's one way to the host. Electron's preload exposes `window.authlabIpc` (envelopes, since
// contextBridge drops an Error's `code`), unwrapped here by bridgeFromIpc; in a browser the
// loopback web host serves the same methods at POST /api/<method>, authorised by the token it put
// in the page URL (#token=…). Both are built from the contract's API_METHODS list.
import BodyWorker from './lib/request-body.worker.ts?worker';
import type { BodyJob, BodyResult } from './lib/request-body.worker.ts';
import {
  API_METHODS,
  TOKEN_HEADER,
  bridgeFromIpc,
  type AuthlabIpc,
  unwrapEnvelope,
  type ApiMethod,
  type AuthlabApi,
  type AuthlabBridge,
  type EvaluateRequest,
  type EvaluationResult,
} from '../../shared/ipc/contract.ts';

declare global {
  interface Window {
    authlabIpc?: AuthlabIpc;
  }
}

function tokenFromLocation(): string {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  return params.get('token') ?? '';
}

export function createWebBridge(base = new URL('./', location.href).href, token = tokenFromLocation()): AuthlabBridge {
  const api = {} as Record<ApiMethod, (arg?: unknown) => Promise<unknown>>;
  for (const method of API_METHODS) {
    api[method] = async (arg?: unknown) => {
      // methods without an argument send no body (the host reads that as undefined)
      const res = await fetch(new URL(`api/${method}`, base), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: token },
        body: arg === undefined ? undefined : JSON.stringify(arg),
      });
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        throw new Error(`${method}: the host answered HTTP ${res.status} without a result`);
      }
      return unwrapEnvelope(body);
    };
  }
  // Main-process events (Open With, menus) exist only in Electron.
  const on: AuthlabBridge['on'] = () => () => {};
  return { ...(api as unknown as AuthlabApi), on };
}

export const isElectron = Boolean(window.authlabIpc);
export const bridge: AuthlabBridge = window.authlabIpc ? bridgeFromIpc(window.authlabIpc) : createWebBridge();

let worker: Worker | null = null;
let jobs = 0;
const pending = new Map<number, (r: BodyResult) => void>();

function encodeOffThread(blob: Blob, want: BodyJob['want']): Promise<Blob | string> {
  if (!worker) {
    worker = new BodyWorker();
    worker.onmessage = (e: MessageEvent<BodyResult>) => {
      pending.get(e.data.id)?.(e.data);
      pending.delete(e.data.id);
    };
  }
  const id = ++jobs;
  return new Promise((resolve, reject) => {
    pending.set(id, (r) => (r.ok ? resolve(r.body) : reject(new Error(`could not encode the message: ${r.message}`))));
    worker!.postMessage({ id, blob, want } satisfies BodyJob);
  });
}

/** Message bytes encoded for the host once, for as many `evaluate` calls (slices of an mbox) as needed. */
export type EncodedMessage = { kind: 'ipc'; base64: string } | { kind: 'web'; base64: Blob };

/** Encodes in a worker, so even a 25 MB message never blocks the page. */
export async function encodeMessage(blob: Blob): Promise<EncodedMessage> {
  if (isElectron) return { kind: 'ipc', base64: (await encodeOffThread(blob, 'base64')) as string };
  return { kind: 'web', base64: (await encodeOffThread(blob, 'base64-blob')) as Blob };
}

/**
 * `evaluate` for encoded message bytes, or for the input the host kept from an earlier slice
 * (`rest.inputRef`: no bytes sent). On the web the JSON body is a Blob around the base64 Blob
 * (composed, not copied), which fetch streams.
 */
export async function evaluateEncoded(message: EncodedMessage, rest: Omit<EvaluateRequest, 'messageBase64'>): Promise<EvaluationResult> {
  if (rest.inputRef !== undefined) return bridge.evaluate(rest);
  if (message.kind === 'ipc') return bridge.evaluate({ ...rest, messageBase64: message.base64 });
  const head = JSON.stringify(rest).slice(0, -1); // without its closing brace
  const body = new Blob([head, head.length > 1 ? ',' : '', '"messageBase64":"', message.base64, '"}'], { type: 'application/json' });
  const res = await fetch(new URL('api/evaluate', new URL('./', location.href)), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: tokenFromLocation() },
    body,
  });
  let parsed: unknown;
  try {
    parsed = await res.json();
  } catch {
    throw new Error(`evaluate: the host answered HTTP ${res.status} without a result`);
  }
  return unwrapEnvelope(parsed);
}
