// The inspector's "Signed output" tab: the signed message in Monaco (or a diff against the
// original), Copy and Save .eml, and beside it the round-trip verdict — each signature verified
// by the engine against a what-if zone holding the keys' records — with warnings and the rule.
import { useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import type { RoundTripVerdict } from '../../../shared/ipc/contract.ts';
import { bridge, isElectron } from '../bridge.ts';
import { useMonaco } from '../monaco/use-monaco.ts';
import { MESSAGE_LANGUAGE } from '../monaco/languages.ts';
import { READ_ONLY_VIEWER } from '../monaco/viewer-options.ts';
import type { SignedOutput } from '../state.ts';
import { base64ToBytes } from '../lib/bytes.ts';
import { copyText } from './ExportBar.tsx';
import { StatusBadge } from './Status.tsx';
import { downloadBlob } from '../lib/download.ts';

const box: CSSProperties = { padding: '8px 12px', borderBottom: '1px solid var(--border)', display: 'flex', flexDirection: 'column', gap: 4, maxHeight: '45%', overflow: 'auto', flexShrink: 0 };
const list: CSSProperties = { margin: 0, paddingLeft: 18, fontSize: 12 };
const bar: CSSProperties = { display: 'flex', gap: 6, alignItems: 'center', flexWrap: 'wrap', padding: '6px 12px', borderBottom: '1px solid var(--border)', flexShrink: 0 };

const decoder = new TextDecoder('utf-8');

function saveBytes(fileName: string, bytes: Uint8Array): void {
  downloadBlob(fileName, new Blob([bytes as BlobPart], { type: 'message/rfc822' }));
}

export function signedFileName(fileName: string): string {
  const base = fileName.replace(/\.(eml|txt|msg|mbox)$/i, '').replace(/[\\/]/g, '_') || 'message';
  return `${base}.signed.eml`;
}

function Verdict({ rt, title }: { rt: RoundTripVerdict; title: string }) {
  return (
    <div data-testid={`roundtrip-${rt.against}`} data-pass={String(rt.pass)}>
      <strong>{title}</strong> <StatusBadge word={rt.pass ? 'pass' : 'fail'} />
      <ul style={list}>
        {rt.signatures.map((s, i) => (
          <li key={i} data-testid="roundtrip-signature" data-result={s.result}>
            DKIM <code>d={s.domain}</code> <code>s={s.selector}</code>: <StatusBadge word={s.result} /> <span className="muted">{s.reason}</span>
          </li>
        ))}
        {rt.arc && (
          <li>
            ARC chain: <StatusBadge word={rt.arc.result} /> <span className="muted">{rt.arc.reason}</span>
          </li>
        )}
        {rt.dmarc && (
          <li>
            DMARC: <StatusBadge word={rt.dmarc.result ?? 'none'} /> <span className="muted">{rt.dmarc.reason}</span>
          </li>
        )}
      </ul>
    </div>
  );
}

export function SigningOutput({ output, announce }: { output: SignedOutput; announce: (msg: string) => void }) {
  const { result } = output;
  const signedBytes = useMemo(() => base64ToBytes(result.signedBase64), [result]);
  const signedText = useMemo(() => decoder.decode(signedBytes), [signedBytes]);
  const originalText = useMemo(() => decoder.decode(output.original), [output]);
  const [view, setView] = useState<'signed' | 'diff'>('signed');
  const fileName = signedFileName(output.fileName);

  const save = async () => {
    try {
      if (!isElectron) {
        saveBytes(fileName, signedBytes);
        announce(`Downloaded ${fileName}`);
        return;
      }
      const r = await bridge.saveFile({ fileName, content: signedText });
      announce(r.supported && r.saved ? `Saved ${r.path}` : 'Save cancelled');
    } catch (e) {
      announce(`Save failed: ${(e as Error).message}`);
    }
  };

  return (
    <div style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }} data-testid="signed-output">
      <section style={box} aria-label="Round-trip verification of the signed message" className="small">
        <Verdict rt={result.roundTrip} title="Round trip against the keys' records (what-if zone):" />
        {result.live && <Verdict rt={result.live} title="Against live DNS today:" />}
        {result.arc && (
          <span>
            ARC set i={result.arc.instance} sealed with cv={result.arc.cv}.
          </span>
        )}
        {result.rule && (
          <div data-testid="rule-decision">
            <strong>Rule:</strong> {result.rule.explanation}
            <ul style={list}>
              {result.rule.alignment.map((a, i) => (
                <li key={i}>
                  <StatusBadge word={a.relaxed ? 'pass' : 'fail'} label={a.strict ? 'aligned' : a.relaxed ? 'relaxed only' : 'not aligned'} /> {a.explanation}
                </li>
              ))}
              {result.rule.problems.map((p, i) => (
                <li key={`p${i}`} className="warn-note">
                  {p}
                </li>
              ))}
            </ul>
          </div>
        )}
        {result.warnings.length > 0 && (
          <div>
            <strong>Warnings</strong>
            <ul style={list} data-testid="sign-warnings">
              {result.warnings.map((w, i) => (
                <li key={i} data-code={w.code}>
                  <StatusBadge word={w.severity === 'error' ? 'error' : w.severity === 'warning' ? 'warn' : 'info'} label={w.severity} /> {w.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        {result.roundTrip.report && (
          <span className="muted">
            Verifier's verdict on the signed message: {result.roundTrip.report.summary.headline}
          </span>
        )}
      </section>
      <div style={bar} role="toolbar" aria-label="Signed message">
        <div role="group" aria-label="View" style={{ display: 'flex', gap: 4 }}>
          <button type="button" className={view === 'signed' ? '' : 'secondary'} aria-pressed={view === 'signed'} onClick={() => setView('signed')}>
            Signed message
          </button>
          <button type="button" className={view === 'diff' ? '' : 'secondary'} aria-pressed={view === 'diff'} onClick={() => setView('diff')}>
            Diff against original
          </button>
        </div>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void copyText(signedText).then(
              () => announce('Signed message copied'),
              (e: Error) => announce(`Copy failed: ${e.message}`),
            )
          }
        >
          Copy
        </button>
        <button type="button" className="secondary" onClick={() => void save()}>
          Save .eml
        </button>
        <span className="muted small">
          {result.signatures.length} signature{result.signatures.length === 1 ? '' : 's'} added to {output.fileName}
        </span>
      </div>
      {view === 'signed' ? <SignedEditor text={signedText} /> : <SignedDiff original={originalText} signed={signedText} />}
    </div>
  );
}

function SignedEditor({ text }: { text: string }) {
  const m = useMonaco();
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!m || !host.current) return;
    const model = m.monaco.editor.createModel(text, MESSAGE_LANGUAGE);
    const ed = m.monaco.editor.create(host.current, {
      model,
      ...READ_ONLY_VIEWER,
      ariaLabel: 'Signed message (read-only)',
    });
    return () => {
      ed.dispose();
      model.dispose();
    };
  }, [m, text]);
  return (
    <>
      <div ref={host} className="editor-host" data-testid="signed-editor" />
      {!m && <p className="muted">Loading editor…</p>}
    </>
  );
}

function SignedDiff({ original, signed }: { original: string; signed: string }) {
  const m = useMonaco();
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!m || !host.current) return;
    const monaco = m.monaco;
    const a = monaco.editor.createModel(original, MESSAGE_LANGUAGE);
    const b = monaco.editor.createModel(signed, MESSAGE_LANGUAGE);
    const diff = monaco.editor.createDiffEditor(host.current, {
      readOnly: true,
      originalEditable: false,
      automaticLayout: true,
      renderSideBySide: false,
      minimap: { enabled: false },
      fontSize: 12,
      ariaLabel: 'The original message against the signed message (added lines marked)',
    });
    diff.setModel({ original: a, modified: b });
    return () => {
      diff.dispose();
      a.dispose();
      b.dispose();
    };
  }, [m, original, signed]);
  return <div ref={host} className="editor-host diff-host" data-testid="signed-diff" />;
}
