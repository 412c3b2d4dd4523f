// The one place a call from outside (IPC or HTTP) reaches the services: validate with the
// contract, call, wrap the outcome in the envelope. Used by electron/main and the web host alike.

import { errorEnvelope, okEnvelope, toApiError, type ApiMethod, type AuthlabApi, type Envelope } from '../../shared/ipc/contract.ts';
import { validateRequest } from '../../shared/ipc/validators.ts';

export async function dispatch(services: AuthlabApi, method: ApiMethod, arg: unknown): Promise<Envelope<unknown>> {
  const v = validateRequest(method, arg);
  if (!v.ok) return errorEnvelope('invalid-request', v.message);
  try {
    const fn = services[method] as (a: unknown) => Promise<unknown>;
    return okEnvelope(await fn.call(services, v.value));
  } catch (err) {
    return { ok: false, error: toApiError(err) };
  }
}
