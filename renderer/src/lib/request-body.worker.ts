// Turns a message Blob into what crosses to the host, off the main thread: base64 text for Electron's
// IPC, or for the web host base64 as ASCII bytes in a Blob, which the page wraps into the request's
// JSON body and fetch streams without re-encoding. Encoding a 25 MB message on the main thread
// costs seconds of frozen UI. Encoded once, it serves every slice of an mbox.
import { base64Bytes, bytesToBase64 } from './bytes.ts';

export interface BodyJob {
  id: number;
  blob: Blob;
  want: 'base64-blob' | 'base64';
}

export type BodyResult = { id: number; ok: true; body: Blob | string } | { id: number; ok: false; message: string };

self.onmessage = async (e: MessageEvent<BodyJob>) => {
  const { id, blob, want } = e.data;
  try {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    // a Blob of the base64 string cost ~0.6 s for 26 MB (the string's UTF-8 encoding), of its bytes ~0.1 s
    const body: Blob | string = want === 'base64-blob' ? new Blob([base64Bytes(bytes)]) : bytesToBase64(bytes);
    (self as unknown as Worker).postMessage({ id, ok: true, body } satisfies BodyResult);
  } catch (err) {
    (self as unknown as Worker).postMessage({ id, ok: false, message: (err as Error).message } satisfies BodyResult);
  }
};
