// Registers every contract method with ipcMain.handle in one loop. Each call's sender is checked
// (the top frame of a page from app://authlab), its argument validated by the contract, the
// service called, and the outcome returned as the envelope (after VS Code's validatedIpcMain).

import { API_METHODS, channelOf, errorEnvelope, type AuthlabApi, type Envelope } from '../../shared/ipc/contract.ts';
import { dispatch } from '../services/dispatch.ts';
import { isAppUrl } from './app-protocol.ts';

export interface FrameLike {
  url: string;
  parent: FrameLike | null;
}

export interface IpcEventLike {
  senderFrame: FrameLike | null;
  sender: { mainFrame: FrameLike };
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The top frame of our own page, nothing else: no iframe, no other origin, no destroyed frame. */
export function isTrustedSender(event: IpcEventLike): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (frame.parent !== null || frame !== event.sender.mainFrame) return false;
  return isAppUrl(frame.url);
}

export function registerApiHandlers(
  ipcMain: IpcMainLike,
  api: AuthlabApi,
  opts: { isTrusted?: (event: IpcEventLike) => boolean; onRejected?: (channel: string, url: string | undefined) => void } = {},
): () => void {
  const trusted = opts.isTrusted ?? isTrustedSender;
  for (const method of API_METHODS) {
    const channel = channelOf(method);
    ipcMain.handle(channel, async (event, ...args): Promise<Envelope<unknown>> => {
      if (!trusted(event)) {
        opts.onRejected?.(channel, event.senderFrame?.url);
        return errorEnvelope('forbidden', `${method}: calls are accepted only from the AuthLab page`);
      }
      if (args.length > 1) return errorEnvelope('invalid-request', `${method}: takes at most one argument`);
      return dispatch(api, method, args[0]);
    });
  }
  return () => {
    for (const method of API_METHODS) ipcMain.removeHandler(channelOf(method));
  };
}
