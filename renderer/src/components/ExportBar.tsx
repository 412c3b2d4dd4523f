// Export the report (JSON, Markdown, HTML) through the host, saving by dialog in Electron or by
// download in a browser; copy the recomputed Authentication-Results.
import { useState } from 'react';
import type { ExportFormat } from '../../../shared/ipc/contract.ts';
import type { MessageReport } from '../../../shared/report.ts';
import { bridge } from '../bridge.ts';
import { downloadBlob } from '../lib/download.ts';

export function download(fileName: string, mime: string, content: string): void {
  downloadBlob(fileName, new Blob([content], { type: mime }));
}

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // no permission or no secure context: the selection + execCommand route still works
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.append(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('the clipboard is not available');
}

const LABELS: Record<ExportFormat, string> = { json: 'JSON', markdown: 'Markdown', html: 'HTML' };

export function ExportBar({ report, announce }: { report: MessageReport; announce: (msg: string) => void }) {
  const [busy, setBusy] = useState(false);
  const run = async (format: ExportFormat) => {
    setBusy(true);
    try {
      const file = await bridge.exportReport({ format, report });
      const saved = await bridge.saveFile({ fileName: file.fileName, content: file.content });
      if (!saved.supported) {
        download(file.fileName, file.mime, file.content);
        announce(`Downloaded ${file.fileName}`);
      } else if (saved.saved) {
        announce(`Saved ${saved.path}`);
      } else {
        announce('Export cancelled');
      }
    } catch (e) {
      announce(`Export failed: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="export-bar" role="group" aria-label="Export and copy">
      <span className="muted">Export</span>
      {(Object.keys(LABELS) as ExportFormat[]).map((f) => (
        <button key={f} type="button" className="secondary" disabled={busy} onClick={() => void run(f)} aria-label={`Export report as ${LABELS[f]}`}>
          {LABELS[f]}
        </button>
      ))}
      <button
        type="button"
        className="secondary"
        onClick={() =>
          copyText(report.authenticationResults).then(
            () => announce('Authentication-Results copied'),
            (e: Error) => announce(`Copy failed: ${e.message}`),
          )
        }
      >
        Copy Authentication-Results
      </button>
    </div>
  );
}
