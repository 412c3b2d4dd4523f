// Paste a raw message, or only its headers, into a modal dialog.
import { useEffect, useRef, useState } from 'react';

export function PasteDialog({ open, onClose, onSubmit }: { open: boolean; onClose: () => void; onSubmit: (text: string, headersOnly: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [text, setText] = useState('');
  const [headersOnly, setHeadersOnly] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="paste-dialog" aria-labelledby="paste-title" onClose={onClose} onCancel={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!text.trim()) return;
          onSubmit(text, headersOnly);
          setText('');
          setHeadersOnly(false);
        }}
      >
        <h2 id="paste-title">Paste a message</h2>
        <label htmlFor="paste-text">The raw message, or only its header section</label>
        <textarea id="paste-text" value={text} onChange={(e) => setText(e.target.value)} rows={18} spellCheck={false} autoFocus />
        <label className="checkbox">
          <input type="checkbox" checked={headersOnly} onChange={(e) => setHeadersOnly(e.target.checked)} /> Headers only (no body to check)
        </label>
        <p className="muted small">Pasted text may have lost its exact bytes (line endings, trailing spaces), which can break DKIM body hashes.</p>
        <div className="form-actions">
          <button type="submit" disabled={!text.trim()}>
            Evaluate
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
