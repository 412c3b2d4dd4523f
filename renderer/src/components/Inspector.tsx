// The Monaco inspector: the raw message (signed fields decorated, DKIM tags explained on hover,
// steps revealed), each signature's canonical form, the DNS log, stored vs recomputed
// Authentication-Results, and the signing lab's output (SigningOutput.tsx).
import { useEffect, useMemo, useRef } from 'react';
import type * as Monaco from 'monaco-editor/editor/editor.api';
import type { ByteRange, DkimSignatureReport, MessageReport } from '../../../shared/report.ts';
import { useMonaco } from '../monaco/use-monaco.ts';
import { MESSAGE_LANGUAGE } from '../monaco/languages.ts';
import { READ_ONLY_VIEWER } from '../monaco/viewer-options.ts';
import { buildSourceText, rangeOf, type SourceText } from '../lib/source-text.ts';
import { locateFields, signedInstances, tagAt, type FieldLocation } from '../lib/header-fields.ts';
import { Tabs } from './Tabs.tsx';
import { SigningOutput } from './SigningOutput.tsx';
import type { SignedOutput } from '../state.ts';

export type InspectorTab = 'raw' | 'canonical' | 'dns' | 'ar' | 'signed';

const TABS: { id: InspectorTab; label: string }[] = [
  { id: 'raw', label: 'Raw message' },
  { id: 'canonical', label: 'Canonicalized' },
  { id: 'dns', label: 'DNS' },
  { id: 'ar', label: 'Authentication-Results' },
  { id: 'signed', label: 'Signed output' },
];

export interface RevealRequest {
  ranges: ByteRange[];
  label: string;
  nonce: number;
}

export function Inspector({
  report,
  bytes,
  tab,
  onTab,
  reveal,
  signed = null,
  announce = () => {},
}: {
  report: MessageReport;
  /** The evaluated bytes (or their start), or null when they could not be reconstructed. */
  bytes: Uint8Array | null;
  tab: InspectorTab;
  onTab: (t: InspectorTab) => void;
  reveal: RevealRequest | null;
  /** The signing lab's output for this message, if it was signed. */
  signed?: SignedOutput | null;
  announce?: (msg: string) => void;
}) {
  return (
    <section className="inspector" aria-label="Inspector">
      <Tabs label="Inspector views" tabs={TABS} active={tab} onChange={onTab} idPrefix="inspector">
        {tab === 'raw' && <RawView report={report} bytes={bytes} reveal={reveal} />}
        {tab === 'canonical' && <CanonicalView report={report} />}
        {tab === 'dns' && <DnsTable report={report} />}
        {tab === 'ar' && <AuthResultsDiff report={report} />}
        {tab === 'signed' && signed && <SigningOutput output={signed} announce={announce} />}
        {tab === 'signed' && !signed && (
          <p className="placeholder" data-testid="signed-placeholder">
            Sign a message in the signing lab to see its output here.
          </p>
        )}
      </Tabs>
    </section>
  );
}

// ---------------------------------------------------------------- raw message

interface HoverContext {
  lines: string[];
  fields: FieldLocation[];
  signatures: { field: FieldLocation; report: DkimSignatureReport }[];
}
const hoverContexts = new Map<string, HoverContext>();
let hoverRegistered = false;

function registerHover(monaco: typeof Monaco): void {
  if (hoverRegistered) return;
  hoverRegistered = true;
  monaco.languages.registerHoverProvider(MESSAGE_LANGUAGE, {
    provideHover(model, position) {
      const ctx = hoverContexts.get(model.uri.toString());
      if (!ctx) return null;
      const sig = ctx.signatures.find((s) => position.lineNumber >= s.field.startLine && position.lineNumber <= s.field.endLine);
      if (!sig) return null;
      const name = tagAt(ctx.lines, sig.field, position.lineNumber, position.column);
      if (!name) return null;
      const tag = sig.report.tags.find((t) => t.name === name);
      if (!tag) return null;
      const value = tag.value.length > 80 ? `${tag.value.slice(0, 80)}…` : tag.value;
      const contents = [
        { value: `**${tag.name}=** (DKIM signature #${sig.report.index}, d=${sig.report.domain ?? '?'})` },
        { value: tag.meaning },
        { value: '`' + value.replace(/`/g, "'") + '`' },
      ];
      if (tag.problem) contents.push({ value: `⚠ ${tag.problem}` });
      return { contents };
    },
  });
}

function RawView({ report, bytes, reveal }: { report: MessageReport; bytes: Uint8Array | null; reveal: RevealRequest | null }) {
  const m = useMonaco();
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<Monaco.editor.IStandaloneCodeEditor | null>(null);
  const revealDecos = useRef<Monaco.editor.IEditorDecorationsCollection | null>(null);
  const source: SourceText | null = useMemo(() => (bytes ? buildSourceText(bytes, report.input.evaluatedBytes) : null), [bytes, report]);

  useEffect(() => {
    if (!m || !host.current || !source) return;
    const monaco = m.monaco;
    registerHover(monaco);
    const model = monaco.editor.createModel(source.text, MESSAGE_LANGUAGE);
    const ed = monaco.editor.create(host.current, {
      model,
      ...READ_ONLY_VIEWER,
      wordWrap: 'off',
      renderWhitespace: 'none',
      ariaLabel: 'Raw message (read-only)',
    });
    editorRef.current = ed;

    // signed-field decorations and the hover context
    const lines = model.getLinesContent();
    const fields = locateFields(lines);
    const dkimFields = fields.filter((f) => f.name.toLowerCase() === 'dkim-signature');
    const signatures: HoverContext['signatures'] = [];
    const decos: Monaco.editor.IModelDeltaDecoration[] = [];
    for (const sig of report.dkim) {
      const r = rangeOf(source, bytes!, sig.source);
      const field = r ? dkimFields.find((f) => f.startLine === r.start.lineNumber) : dkimFields[sig.index - 1];
      if (field) signatures.push({ field, report: sig });
      for (const f of signedInstances(fields, sig.headers.list)) {
        decos.push({
          range: new monaco.Range(f.startLine, 1, f.endLine, 1),
          options: {
            isWholeLine: true,
            className: `signed-field ${sig.result === 'pass' ? 'signed-pass' : 'signed-fail'}`,
            linesDecorationsClassName: 'signed-gutter',
            hoverMessage: { value: `Signed by DKIM #${sig.index} (d=${sig.domain ?? '?'}, ${sig.result})` },
          },
        });
      }
    }
    ed.createDecorationsCollection(decos);
    hoverContexts.set(model.uri.toString(), { lines, fields, signatures });
    revealDecos.current = ed.createDecorationsCollection();
    return () => {
      hoverContexts.delete(model.uri.toString());
      ed.dispose();
      model.dispose();
      editorRef.current = null;
    };
  }, [m, source, report, bytes]);

  useEffect(() => {
    const ed = editorRef.current;
    if (!ed || !reveal || !source || !bytes || !m) return;
    const ranges = reveal.ranges.map((r) => rangeOf(source, bytes, r)).filter((r) => r !== null);
    if (!ranges.length) return;
    const monaco = m.monaco;
    // a range ending at the start of a line (after its CRLF) does not include that line
    const toRange = (r: (typeof ranges)[number]) =>
      r.end.column === 1 && r.end.lineNumber > r.start.lineNumber
        ? new monaco.Range(r.start.lineNumber, r.start.column, r.end.lineNumber - 1, Number.MAX_SAFE_INTEGER)
        : new monaco.Range(r.start.lineNumber, r.start.column, r.end.lineNumber, r.end.column);
    revealDecos.current?.set(
      ranges.map((r) => ({ range: toRange(r), options: { isWholeLine: true, className: 'reveal-highlight', hoverMessage: { value: reveal.label } } })),
    );
    ed.revealRangeInCenter(toRange(ranges[0]));
    ed.setSelection(new monaco.Selection(ranges[0].start.lineNumber, ranges[0].start.column, ranges[0].start.lineNumber, ranges[0].start.column));
  }, [reveal, source, bytes, m]);

  if (!bytes) {
    return (
      <p className="muted">
        The message bytes behind this report could not be reconstructed in the page, so source lines cannot be shown.
      </p>
    );
  }
  return (
    <>
      {source?.truncated && (
        <p className="muted">
          Large message: the viewer shows the headers and the start of the body; the whole message was evaluated.
        </p>
      )}
      <div ref={host} className="editor-host" data-testid="raw-editor" />
      {!m && <p className="muted">Loading editor…</p>}
    </>
  );
}

// ---------------------------------------------------------------- canonical forms

function canonicalText(report: MessageReport): string {
  if (!report.dkim.length) return '; This message has no DKIM-Signature: nothing was canonicalized.\n';
  const parts: string[] = [];
  for (const s of report.dkim) {
    parts.push(`; ---- DKIM signature #${s.index}: d=${s.domain ?? '?'} s=${s.selector ?? '?'} c=${s.canonicalization.header}/${s.canonicalization.body}`);
    parts.push('; Header block as hashed (signature header last, b= emptied):');
    parts.push(s.canonicalHeaders ?? '; (not computed: the signature could not be parsed)');
    if (s.body) {
      const len = s.body.canonicalLength ?? s.body.canonicalLengthTotal;
      parts.push(`; Canonical body${len !== undefined ? ` (${len} bytes hashed${s.body.unsignedBytes ? `, ${s.body.unsignedBytes} bytes after l= unsigned` : ''})` : ''}: body hash ${s.body.matches ? 'matches' : 'does NOT match'}`);
      parts.push(s.body.preview ?? '; (no preview)');
    }
    parts.push('');
  }
  return parts.join('\n');
}

function CanonicalView({ report }: { report: MessageReport }) {
  const text = useMemo(() => canonicalText(report), [report]);
  return <TextEditor text={text} label="Canonicalized headers and body of each DKIM signature" testId="canonical-editor" />;
}

function TextEditor({ text, label, testId }: { text: string; label: string; testId: string }) {
  const m = useMonaco();
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!m || !host.current) return;
    const ed = m.monaco.editor.create(host.current, {
      value: text,
      language: 'plaintext',
      ...READ_ONLY_VIEWER,
      renderControlCharacters: true,
      ariaLabel: label,
    });
    return () => ed.dispose();
  }, [m, text, label]);
  return <div ref={host} className="editor-host" data-testid={testId} />;
}

// ---------------------------------------------------------------- DNS log

function DnsTable({ report }: { report: MessageReport }) {
  if (!report.dns.length) return <p className="muted">No DNS queries were made for this message.</p>;
  return (
    <div className="table-wrap">
      <table className="dns-table" data-testid="dns-table">
        <caption>DNS queries made for this evaluation, in order</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Result</th>
            <th scope="col">Answers</th>
            <th scope="col">Source</th>
            <th scope="col">ms</th>
          </tr>
        </thead>
        <tbody>
          {report.dns.map((d) => (
            <tr key={d.seq}>
              <td>{d.seq}</td>
              <td>
                <code>{d.name}</code>
                {d.cnames?.length ? <div className="muted">via {d.cnames.join(' → ')}</div> : null}
              </td>
              <td>{d.type}</td>
              <td className={d.rcode === 'NOERROR' ? '' : 'dns-bad'}>
                {d.rcode}
                {d.error ? <div className="muted">{d.error}</div> : null}
              </td>
              <td>
                {d.answers.map((a, i) => (
                  <code key={i} className="dns-answer block">
                    {a}
                  </code>
                ))}
              </td>
              <td>
                {d.source}
                {d.server ? ` ${d.server}` : ''}
              </td>
              <td>{d.ms}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---------------------------------------------------------------- stored vs recomputed A-R

function AuthResultsDiff({ report }: { report: MessageReport }) {
  const m = useMonaco();
  const host = useRef<HTMLDivElement>(null);
  const stored = useMemo(() => report.stored.headers.filter((h) => h.field === 'Authentication-Results'), [report]);
  useEffect(() => {
    if (!m || !host.current) return;
    const monaco = m.monaco;
    const original = monaco.editor.createModel(stored.map((h) => h.raw.trimEnd()).join('\n') || '', 'plaintext');
    const modified = monaco.editor.createModel(report.authenticationResults, 'plaintext');
    const diff = monaco.editor.createDiffEditor(host.current, {
      readOnly: true,
      originalEditable: false,
      automaticLayout: true,
      renderSideBySide: true,
      wordWrap: 'on',
      minimap: { enabled: false },
      fontSize: 12,
      ariaLabel: 'Stored Authentication-Results (left) against the recomputed header (right)',
    });
    diff.setModel({ original, modified });
    return () => {
      diff.dispose();
      original.dispose();
      modified.dispose();
    };
  }, [m, report, stored]);
  return (
    <>
      <p className="muted">
        Left: Authentication-Results stored in the message ({stored.length || 'none'}). Right: the header AuthLab computes now.
      </p>
      {report.stored.differences.length > 0 && (
        <ul className="differences" aria-label="Differences between stored and recomputed results">
          {report.stored.differences.map((d, i) => (
            <li key={i}>
              <strong>{d.method}</strong>: stored <code>{d.stored}</code>, now <code>{d.recomputed}</code> — {d.note}
            </li>
          ))}
        </ul>
      )}
      <div ref={host} className="editor-host diff-host" data-testid="ar-diff" />
    </>
  );
}
