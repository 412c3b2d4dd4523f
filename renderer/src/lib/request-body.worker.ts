// Turns a message Blob into what crosses to the host, off the main thread: base64 for Electron's IPC,
// or for the web host the whole JSON request as a Blob, which fetch streams without re-encoding.
// Encoding a 25 MB message as a string on the main thread costs seconds of frozen UI.

export interface BodyJob {
  id: number;
  blob: Blob;
  /** The request without messageBase64 (JSON-safe). */
  rest: Record<string, unknown>;
  want: 'json-blob' | 'base64';
}

export type BodyResult = { id: number; ok: true; body: Blob | string } | { id: number; ok: false; message: string };

function toBase64(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 0x8000) parts.push(String.fromCharCode(...bytes.subarray(i, i + 0x8000)));
  return btoa(parts.join(''));
}

self.onmessage = async (e: MessageEvent<BodyJob>) => {
  const { id, blob, rest, want } = e.data;
  try {
    const b64 = toBase64(new Uint8Array(await blob.arrayBuffer()));
    let body: Blob | string = b64;
    if (want === 'json-blob') {
      const head = JSON.stringify(rest).slice(0, -1); // drop the closing brace
      body = new Blob([head, head.length > 1 ? ',' : '', '"messageBase64":"', b64, '"}'], { type: 'application/json' });
    }
    (self as unknown as Worker).postMessage({ id, ok: true, body } satisfies BodyResult);
  } catch (err) {
    (self as unknown as Worker).postMessage({ id, ok: false, message: (err as Error).message } satisfies BodyResult);
  }
};
