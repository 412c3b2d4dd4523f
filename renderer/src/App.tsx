// AuthLab's page: load messages (drop, open, paste), evaluate them through the host, and explain
// every verdict step by step. Message HTML is never rendered: the message is only ever text in Monaco.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { DEFAULT_SETTINGS, type AppSettings, type EvaluationResult, type OpenedFile, type Theme } from '../../shared/ipc/contract.ts';
import type { DnsSettings } from '../../shared/dns.ts';
import { MESSAGE_INPUT_ERROR_CODES, type ByteRange, type MessageReport } from '../../shared/report.ts';
import { REPORT_TEXT_BLOCKS, showControlsDeep } from '../../shared/visible-controls.ts';
import { bridge, encodeMessage, evaluateEncoded, isElectron } from './bridge.ts';
import { evaluateInSlices } from './lib/evaluate-slices.ts';
import { base64ToBytes, readHead } from './lib/bytes.ts';
import { evaluatedBytes, fromMessageBytes, sourceSlice } from './lib/evaluated-bytes.ts';
import { newId, type EnvelopeOverrides, type LoadedFile, type Selection, type SignedOutput } from './state.ts';
import { MessageList } from './components/MessageList.tsx';
import { PasteDialog } from './components/PasteDialog.tsx';
import { EnvelopePanel } from './components/EnvelopePanel.tsx';
import { Checks } from './components/Checks.tsx';
import { HopTimeline } from './components/HopTimeline.tsx';
import { Inspector, type InspectorTab, type RevealRequest } from './components/Inspector.tsx';
import { ExportBar } from './components/ExportBar.tsx';
import { VerdictDiff } from './components/VerdictDiff.tsx';
import { StatusBadge } from './components/Status.tsx';
import { SigningLab } from './components/SigningLab.tsx';
import { loadMonaco } from './monaco/use-monaco.ts';

const ZONE_PLACEHOLDER = `; What-if records, RFC 1035 master-file format. They win over DNS.
; $ORIGIN example.com.
; selector._domainkey  IN TXT "v=DKIM1; k=rsa; p=MIIB..."
; @                    IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
`;

/** Input errors that re-evaluating with other settings cannot fix: the input's own, and a file that could not be read. */
const FINAL_INPUT_ERRORS = new Set<string>([...MESSAGE_INPUT_ERROR_CODES, 'read']);

function resolvedTheme(theme: Theme, systemDark: boolean): 'light' | 'dark' {
  return theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;
}

export function App() {
  const [files, setFiles] = useState<LoadedFile[]>([]);
  const [selection, setSelection] = useState<Selection | null>(null);
  const [settings, setSettings] = useState<AppSettings>(DEFAULT_SETTINGS);
  const [zoneText, setZoneText] = useState(ZONE_PLACEHOLDER);
  const [dragging, setDragging] = useState(false);
  const [pasteOpen, setPasteOpen] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const [tab, setTab] = useState<InspectorTab>('raw');
  const [reveal, setReveal] = useState<RevealRequest | null>(null);
  const [systemDark, setSystemDark] = useState(() => matchMedia('(prefers-color-scheme: dark)').matches);
  const [appLabel, setAppLabel] = useState('');
  const [labOpen, setLabOpen] = useState(false);
  const [signed, setSigned] = useState<SignedOutput | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const generations = useRef(new Map<string, number>());
  const filesRef = useRef(files);
  filesRef.current = files;

  const announce = useCallback((msg: string) => setAnnouncement(msg), []);

  // ---------------------------------------------------------------- settings and theme
  useEffect(() => {
    bridge.getSettings().then(setSettings, (e: Error) => announce(`Settings could not be read: ${e.message}`));
    bridge.appInfo().then(
      (i) => setAppLabel(`AuthLab ${i.version} · ${i.shell}${i.electron ? ` · Electron ${i.electron}` : ''}`),
      () => {},
    );
  }, [announce]);

  useEffect(() => {
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const on = () => setSystemDark(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);

  const theme = resolvedTheme(settings.theme, systemDark);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    void loadMonaco().then((m) => m.setMonacoTheme(theme));
  }, [theme]);

  const saveSettings = useCallback(
    (next: AppSettings) => {
      setSettings(next);
      bridge.setSettings(next).catch((e: Error) => announce(`Settings not saved: ${e.message}`));
    },
    [announce],
  );

  // ---------------------------------------------------------------- evaluation
  const zoneForRequest = zoneText.split('\n').some((l) => l.trim() && !l.trim().startsWith(';')) ? zoneText : '';
  const dns: DnsSettings = useMemo(
    () => ({
      servers: settings.dnsServers.length ? settings.dnsServers : undefined,
      offline: settings.offline || undefined,
      timeoutMs: settings.timeoutMs,
      zones: zoneForRequest ? [{ name: 'what-if', text: zoneForRequest }] : undefined,
    }),
    [settings.dnsServers, settings.offline, settings.timeoutMs, zoneForRequest],
  );
  const configKey = JSON.stringify([settings.mode, dns]);
  const configRef = useRef({ dns, mode: settings.mode, configKey });
  configRef.current = { dns, mode: settings.mode, configKey };

  const update = useCallback((id: string, patch: (f: LoadedFile) => Partial<LoadedFile>) => {
    setFiles((list) => list.map((f) => (f.id === id ? { ...f, ...patch(f) } : f)));
  }, []);

  const evaluate = useCallback(
    async (file: LoadedFile, reason: 'load' | 'change', overrides: EnvelopeOverrides = file.overrides) => {
      const gen = (generations.current.get(file.id) ?? 0) + 1;
      generations.current.set(file.id, gen);
      const { dns: dnsNow, mode, configKey: key } = configRef.current;
      const stale = () => generations.current.get(file.id) !== gen;
      update(file.id, () => ({ status: 'evaluating', overrides, configKey: key, progress: undefined }));
      const options = { ...overrides, mode, ...(file.headersOnly ? { headersOnly: true } : {}) };
      try {
        const message = await encodeMessage(file.blob);
        const result = await evaluateInSlices({
          request: (slice, at, inputRef) =>
            evaluateEncoded(message, { fileName: file.fileName, options: at ? { ...options, at } : options, dns: dnsNow, slice, ...(inputRef ? { inputRef } : {}) }),
          stale,
          // a new file shows its verdicts as they come; a re-evaluation keeps the last result (and its diff) until done
          onProgress: (sofar, total) =>
            update(file.id, () => ({ progress: { done: sofar.messages.length, total, loading: reason === 'load' }, ...(reason === 'load' ? { result: sofar } : {}) })),
        });
        if (!result || stale()) return;
        update(file.id, (f) => ({
          status: 'done',
          result,
          progress: undefined,
          error: undefined,
          lastError: undefined,
          previous: reason === 'change' ? (f.result ?? f.previous) : undefined,
        }));
        if (result.container === 'mbox' && result.messages.length > 1) announce(`Evaluated ${result.messages.length} messages of ${file.fileName}`);
        const first = result.messages[0];
        if (reason === 'load') {
          bridge
            .addRecent({ fileName: file.fileName, size: file.size, ...(first?.ok ? { verdict: first.summary.verdict, headline: first.summary.headline } : {}) })
            .catch(() => {});
        }
      } catch (e) {
        if (stale()) return;
        const partial = (e as { partial?: EvaluationResult }).partial;
        const message = (e as Error).message;
        const err = { code: String((e as { code?: unknown }).code ?? 'internal'), message };
        if (partial && reason === 'load') {
          // the verdicts made before the failure stay; the file's row says what stopped the rest
          const stopped = { ...err, message: `evaluation stopped after ${partial.messages.length} messages: ${message}` };
          update(file.id, () => ({ status: 'done', result: partial, progress: undefined, error: stopped }));
          return;
        }
        // a rejected what-if zone or envelope keeps the last good report and shows the error inline
        update(file.id, (f) => (f.result ? { status: 'done', progress: undefined, lastError: err } : { status: 'error', progress: undefined, error: err }));
      }
    },
    [update, announce],
  );

  const addFiles = useCallback(
    (incoming: { fileName: string; blob: Blob; headersOnly?: boolean }[], receivedAt = performance.now()) => {
      const created: LoadedFile[] = incoming.map((i) => ({
        id: newId(),
        fileName: i.fileName,
        size: i.blob.size,
        blob: i.blob,
        head: new Uint8Array(0),
        headersOnly: Boolean(i.headersOnly),
        status: 'reading',
        overrides: {},
        receivedAt,
        configKey: '',
      }));
      if (!created.length) return;
      setFiles((list) => [...list, ...created]);
      setSelection({ fileId: created[0].id, index: 0 });
      announce(`Evaluating ${created.length} file${created.length > 1 ? 's' : ''}`);
      created.forEach((file) => {
        readHead(file.blob).then(
          (head) => {
            update(file.id, () => ({ head }));
            void evaluate({ ...file, head }, 'load');
          },
          (e: Error) => update(file.id, () => ({ status: 'error', error: { code: 'read', message: e.message } })),
        );
      });
    },
    [announce, evaluate, update],
  );

  const addFileObjects = useCallback(
    (list: FileList | File[], receivedAt?: number) => {
      addFiles(
        Array.from(list).map((f) => ({ fileName: f.name, blob: f })),
        receivedAt,
      );
    },
    [addFiles],
  );

  const addOpened = useCallback(
    (opened: OpenedFile[]) => {
      addFiles(opened.map((o) => ({ fileName: o.fileName, blob: new Blob([base64ToBytes(o.messageBase64) as BlobPart]) })));
    },
    [addFiles],
  );

  const addPasted = useCallback(
    (text: string, headersOnly: boolean) => {
      setPasteOpen(false);
      const bytes = new TextEncoder().encode(text);
      addFiles([{ fileName: headersOnly ? 'pasted headers' : 'pasted message', blob: new Blob([bytes]), headersOnly }]);
    },
    [addFiles],
  );

  // ---------------------------------------------------------------- drop anywhere
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => Boolean(e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files'));
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const onOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer!.dropEffect = 'copy';
    };
    const onLeave = () => {
      depth = Math.max(0, depth - 1);
      if (!depth) setDragging(false);
    };
    const onDrop = (e: DragEvent) => {
      const receivedAt = performance.now();
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const dropped = e.dataTransfer?.files;
      if (dropped && dropped.length) addFileObjects(dropped, receivedAt);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [addFileObjects]);

  // ---------------------------------------------------------------- Electron events
  useEffect(() => {
    const offFiles = bridge.on('files-opened', addOpened);
    const offMenu = bridge.on('menu-command', (cmd) => {
      if (cmd === 'open') void openFiles();
      else if (cmd === 'paste') setPasteOpen(true);
      else document.querySelector<HTMLButtonElement>(`[data-export="${cmd.replace('export-', '')}"]`)?.click();
    });
    return () => {
      offFiles();
      offMenu();
    };
  });

  const openFiles = async () => {
    if (isElectron) {
      try {
        const r = await bridge.openFileDialog();
        if (r.supported) {
          if (!r.canceled) addOpened(r.files);
          return;
        }
      } catch (e) {
        announce(`Open failed: ${(e as Error).message}`);
        return;
      }
    }
    fileInput.current?.click();
  };

  // ---------------------------------------------------------------- selection and re-evaluation
  const selectedFile = files.find((f) => f.id === selection?.fileId) ?? null;
  const outcome = selectedFile?.result?.messages[selection?.index ?? 0];
  const report: MessageReport | null = outcome && outcome.ok ? outcome : null;
  const prevOutcome = selectedFile?.previous?.messages[selection?.index ?? 0];
  const previous: MessageReport | null = prevOutcome && prevOutcome.ok ? prevOutcome : null;
  // what the checks show: the message's and DNS's control and bidi characters as visible marks
  // (shared/visible-controls.ts); the envelope fields, exports and the signing lab keep the report as it is
  const shown = useMemo(() => (report ? showControlsDeep(report, REPORT_TEXT_BLOCKS) : null), [report]);

  // A changed mode, DNS setting or what-if zone re-evaluates the message on screen (debounced);
  // the others catch up when they are selected.
  useEffect(() => {
    const f = selectedFile;
    if (!f || f.status === 'reading' || f.status === 'evaluating' || f.configKey === configKey) return;
    if (!f.result && f.error && FINAL_INPUT_ERRORS.has(f.error.code)) return;
    const t = setTimeout(() => void evaluate(f, 'change'), 500);
    return () => clearTimeout(t);
  }, [selectedFile, configKey, evaluate]);

  // A message of an mbox beyond the start the page holds (a large mbox): read from the file,
  // where its report says it lies, when it is shown.
  const [slice, setSlice] = useState<{ report: MessageReport; bytes: Uint8Array } | null>(null);
  useEffect(() => {
    if (!selectedFile?.result || !report) return;
    const range = sourceSlice(selectedFile.result.container, report, selectedFile.head.length);
    if (!range) return;
    let current = true;
    selectedFile.blob
      .slice(range.start, range.end)
      .arrayBuffer()
      .then(
        (b) => current && setSlice({ report, bytes: new Uint8Array(b) }),
        () => {}, // unreadable now: the pane says the source cannot be shown
      );
    return () => {
      current = false;
    };
  }, [selectedFile?.blob, selectedFile?.head, selectedFile?.result, report]);

  const bytesForReport = useMemo(() => {
    if (!selectedFile || !report || !selectedFile.result) return null;
    if (slice?.report === report) return fromMessageBytes(slice.bytes, report);
    return evaluatedBytes(selectedFile.head, selectedFile.result.container, report, selectedFile.size);
  }, [selectedFile?.head, selectedFile?.size, selectedFile?.result, report, slice]);

  // a highlight belongs to the message it was asked for
  useEffect(() => setReveal(null), [selection?.fileId, selection?.index]);

  const onReveal = useCallback((ranges: ByteRange[], label: string) => {
    setTab('raw');
    setReveal((r) => ({ ranges, label, nonce: (r?.nonce ?? 0) + 1 }));
  }, []);

  // performance marks for bench/ui-bench.ts: drop → verdict painted
  const measured = useRef(new Set<string>());
  useEffect(() => {
    for (const f of files) {
      if (f.status !== 'done' || measured.current.has(f.id)) continue;
      measured.current.add(f.id);
      requestAnimationFrame(() => {
        performance.measure(`authlab:verdict:${f.fileName}`, { start: f.receivedAt, end: performance.now() });
      });
    }
  }, [files]);

  const removeFile = (id: string) => {
    // an evaluation under way (a large mbox's slices) stops asking the host
    generations.current.set(id, (generations.current.get(id) ?? 0) + 1);
    setFiles((l) => l.filter((f) => f.id !== id));
    if (selection?.fileId === id) setSelection(null);
  };

  // ---------------------------------------------------------------- signing lab
  /** The bytes the report evaluated (what gets signed): held in the page, or read whole for a big single message. */
  const messageBytes = useCallback(async (): Promise<Uint8Array | null> => {
    if (!selectedFile?.result || !report) return null;
    // held whole, or a message of an mbox (its own bytes, even when read from a large file)
    if (bytesForReport && (selectedFile.size <= selectedFile.head.length || selectedFile.result.container === 'mbox')) return bytesForReport;
    if (selectedFile.result.container === 'message') return new Uint8Array(await selectedFile.blob.arrayBuffer());
    return null;
  }, [selectedFile, report, bytesForReport]);

  const onSigned = useCallback(
    (result: SignedOutput['result'], original: Uint8Array) => {
      if (!selectedFile || !selection) return;
      setSigned({ fileId: selectedFile.id, index: selection.index, fileName: selectedFile.fileName, original, result });
      setTab('signed');
    },
    [selectedFile, selection],
  );
  const signedHere = signed && signed.fileId === selectedFile?.id && signed.index === selection?.index ? signed : null;

  const zoneError = selectedFile?.lastError?.message ?? (selectedFile?.error?.code === 'bad-zone' ? selectedFile.error.message : undefined);

  return (
    <div className={dragging ? 'app dragging' : 'app'}>
      <header className="topbar">
        <h1 className="brand" title={appLabel}>
          AuthLab
        </h1>
        <div className="topbar-actions" role="toolbar" aria-label="Messages and settings">
          <button type="button" onClick={() => void openFiles()}>
            Open…
          </button>
          <input
            ref={fileInput}
            type="file"
            multiple
            accept=".eml,.mbox,.txt,message/rfc822"
            hidden
            aria-label="Choose message files"
            data-testid="file-input"
            onChange={(e) => {
              if (e.target.files?.length) addFileObjects(e.target.files);
              e.target.value = '';
            }}
          />
          <button type="button" onClick={() => setPasteOpen(true)}>
            Paste…
          </button>
          <button type="button" className={labOpen ? '' : 'secondary'} aria-pressed={labOpen} onClick={() => setLabOpen((o) => !o)}>
            Signing lab
          </button>
          <button
            type="button"
            role="switch"
            aria-checked={settings.mode === 'strict'}
            className="switch"
            onClick={() => saveSettings({ ...settings, mode: settings.mode === 'strict' ? 'lenient' : 'strict' })}
            title="Strict follows today's RFCs; lenient accepts what most deployed verifiers accept"
          >
            <span className="switch-track" aria-hidden="true">
              <span className="switch-thumb" />
            </span>
            Strict RFC mode
          </button>
          <button
            type="button"
            className="secondary"
            aria-label={`Theme: ${settings.theme}. Switch theme`}
            onClick={() => saveSettings({ ...settings, theme: settings.theme === 'system' ? (theme === 'dark' ? 'light' : 'dark') : settings.theme === 'dark' ? 'light' : 'system' })}
          >
            {settings.theme === 'system' ? `Theme: system (${theme})` : `Theme: ${settings.theme}`}
          </button>
        </div>
      </header>

      <aside className="sidebar" aria-label="Messages">
        <MessageList files={files} selection={selection} onSelect={setSelection} onRemove={removeFile} />
      </aside>

      <main className="main" aria-busy={selectedFile?.status === 'evaluating'}>
        {labOpen && (
          <div className="report-layout">
            <div className="results">
              <SigningLab
                report={report}
                fileName={selectedFile?.fileName ?? null}
                messageBytes={messageBytes}
                onSigned={onSigned}
                onClose={() => setLabOpen(false)}
                announce={announce}
                offline={settings.offline}
              />
            </div>
            {report ? (
              <Inspector report={report} bytes={bytesForReport} tab={tab} onTab={setTab} reveal={reveal} signed={signedHere} announce={announce} />
            ) : (
              <section className="inspector" aria-label="Inspector">
                <p className="placeholder">Load a message to sign: its signed output appears here.</p>
              </section>
            )}
          </div>
        )}
        {!labOpen && !selectedFile && <Welcome />}
        {!labOpen && selectedFile && !selectedFile.result && selectedFile.status !== 'error' && <p className="evaluating">Evaluating {selectedFile.fileName}…</p>}
        {!labOpen && selectedFile?.status === 'error' && !selectedFile.result && selectedFile.error && (
          <div className="error-panel" role="alert" data-testid="file-error">
            <h2>{selectedFile.fileName} could not be evaluated</h2>
            <p>
              {selectedFile.error.message} <span className="muted">({selectedFile.error.code})</span>
            </p>
          </div>
        )}
        {!labOpen && outcome && !outcome.ok && (
          <div className="error-panel" role="alert" data-testid="message-error">
            <h2>Message #{outcome.index + 1} could not be evaluated</h2>
            <p>
              {outcome.error.message} <span className="muted">({outcome.error.code})</span>
            </p>
          </div>
        )}
        {!labOpen && report && selectedFile && (
          <div className="report-layout">
            <div className="results" data-testid="results">
              <VerdictBanner report={shown!} busy={selectedFile.status === 'evaluating' && !selectedFile.progress?.loading} />
              {selectedFile.lastError && (
                <p className="inline-error" role="alert">
                  The last change could not be evaluated: {selectedFile.lastError.message}
                </p>
              )}
              <ExportBar report={report} announce={announce} />
              {previous && <VerdictDiff before={previous} after={report} />}
              <EnvelopePanel
                report={report}
                overrides={selectedFile.overrides}
                onApply={(o) => void evaluate(selectedFile, 'change', o)}
                offline={settings.offline}
                onOffline={(offline) => saveSettings({ ...settings, offline })}
                servers={settings.dnsServers}
                onServers={(dnsServers) => saveSettings({ ...settings, dnsServers })}
                zoneText={zoneText}
                onZone={setZoneText}
                zoneError={zoneError}
                busy={selectedFile.status === 'evaluating'}
              />
              <Checks report={shown!} onReveal={onReveal} />
              <section className="panel" aria-labelledby="timeline-heading">
                <h2 id="timeline-heading">Received hops and DKIM times</h2>
                <HopTimeline envelope={shown!.envelope} dkim={shown!.dkim} />
              </section>
              {report.modeDifferences.length > 0 && (
                <section className="panel" aria-labelledby="modes-heading">
                  <h2 id="modes-heading">Strict and lenient disagree</h2>
                  <ul>
                    {report.modeDifferences.map((d, i) => (
                      <li key={i}>
                        <strong>{d.check}</strong>: strict {d.strict}, lenient {d.lenient} — {d.why}
                      </li>
                    ))}
                  </ul>
                </section>
              )}
            </div>
            <Inspector report={report} bytes={bytesForReport} tab={tab} onTab={setTab} reveal={reveal} signed={signedHere} announce={announce} />
          </div>
        )}
      </main>

      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop messages to evaluate them
        </div>
      )}
      <PasteDialog open={pasteOpen} onClose={() => setPasteOpen(false)} onSubmit={addPasted} />
      <div className="sr-only" role="status" aria-live="polite" data-testid="announcer">
        {announcement}
      </div>
    </div>
  );
}

function VerdictBanner({ report, busy }: { report: MessageReport; busy: boolean }) {
  const { summary, input } = report;
  return (
    <section className={`banner verdict-${summary.verdict}`} aria-labelledby="verdict-heading" data-testid="verdict" data-verdict={summary.verdict}>
      <h2 id="verdict-heading">
        <StatusBadge word={summary.verdict} /> {summary.headline}
        {busy && <span className="muted"> (re-evaluating…)</span>}
      </h2>
      {summary.lines.length > 0 && (
        <ul className="summary-lines">
          {summary.lines.map((l, i) => (
            <li key={i}>{l}</li>
          ))}
        </ul>
      )}
      <p className="muted small">
        {input.subject ? `“${input.subject}” · ` : ''}
        {input.from ? `From ${input.from} · ` : ''}
        {report.mode} mode · evaluated {new Date(report.evaluatedAt).toLocaleString()}
        {input.normalized ? ' · bare LF line ends converted to CRLF' : ''}
      </p>
      {input.limitations.length > 0 && (
        <div className="limitations" role="note" data-testid="limitations">
          <strong>{input.kind === 'headers-only' ? 'Headers only: ' : 'Limitations: '}</strong>
          <ul>
            {input.limitations.map((l, i) => (
              <li key={i}>{l}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function Welcome() {
  return (
    <div className="welcome">
      <h2>Test a message's authentication</h2>
      <p>Drop one or more .eml or mbox files anywhere on this window, choose Open…, or Paste a message or only its headers.</p>
      <p className="muted">
        AuthLab evaluates SPF, DKIM, DMARC, ARC and BIMI as a receiving server would, and explains each step. Messages are shown as text only; their HTML is never
        rendered and nothing they link to is fetched.
      </p>
    </div>
  );
}
