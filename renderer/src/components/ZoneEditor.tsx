// The what-if zone: RFC 1035 master-file text whose records win over live DNS. Edited in Monaco.
import { useEffect, useRef } from 'react';
import type * as Monaco from 'monaco-editor/editor/editor.api';
import { useMonaco } from '../monaco/use-monaco.ts';
import { ZONE_LANGUAGE } from '../monaco/languages.ts';

export function ZoneEditor({ value, onChange, error }: { value: string; onChange: (text: string) => void; error?: string }) {
  const m = useMonaco();
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<Monaco.editor.IStandaloneCodeEditor | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    if (!m || !host.current) return;
    const ed = m.monaco.editor.create(host.current, {
      value,
      language: ZONE_LANGUAGE,
      minimap: { enabled: false },
      lineNumbers: 'on',
      automaticLayout: true,
      scrollBeyondLastLine: false,
      wordWrap: 'on',
      fontSize: 12,
      ariaLabel: 'What-if DNS zone (master-file format); its records win over live DNS',
      tabFocusMode: true,
    });
    editor.current = ed;
    const sub = ed.onDidChangeModelContent(() => onChangeRef.current(ed.getValue()));
    return () => {
      sub.dispose();
      ed.dispose();
      editor.current = null;
    };
    // the editor owns its text after creation; outside changes are applied below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [m]);

  useEffect(() => {
    const ed = editor.current;
    if (ed && ed.getValue() !== value) ed.setValue(value);
  }, [value]);

  return (
    <div className="zone-editor">
      <div ref={host} className="zone-host" data-testid="zone-editor" />
      {!m && <p className="muted">Loading editor…</p>}
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
