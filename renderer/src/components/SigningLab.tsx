// The signing lab: unlock the key store, manage keys (generate, import, publish, check, delete,
// export on request) and sign the selected message. The page only ever holds key ids and public
// parts; signing happens in the host, and the result opens in the inspector's Signed output tab.
import { useCallback, useEffect, useId, useState, type CSSProperties, type FormEvent } from 'react';
import type { KeyStoreStatus, PublicKeyInfo, PublishedCheckResult, SignMessageRequest, SignMessageResult, CanonicalizationChoice } from '../../../shared/ipc/contract.ts';
import type { MessageReport } from '../../../shared/report.ts';
import { authResultsFields, mergedAuthResults } from '../../../shared/auth-results-payload.ts';
import { bridge } from '../bridge.ts';
import { bytesToBase64 } from '../lib/bytes.ts';
import { copyText, download } from './ExportBar.tsx';
import { StatusBadge } from './Status.tsx';

const OVERSIGN = ['From', 'To', 'Subject', 'Date', 'Message-ID'] as const;
const EXPIRY: { label: string; seconds?: number }[] = [
  { label: 'No expiry (no x=)' },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86400 },
  { label: '7 days', seconds: 7 * 86400 },
  { label: '30 days', seconds: 30 * 86400 },
];
const KEY_CHOICES = [
  { value: 'rsa-2048', label: 'RSA 2048 (recommended)' },
  { value: 'rsa-1024', label: 'RSA 1024 (legacy tests)' },
  { value: 'rsa-4096', label: 'RSA 4096' },
  { value: 'ed25519', label: 'Ed25519 (RFC 8463)' },
] as const;

const PROTECTION_NOTE: Record<KeyStoreStatus['protection'], string> = {
  passphrase:
    'Private keys are encrypted at rest (AES-256-GCM) with a key derived from this passphrase (scrypt). The passphrase is kept only in the memory of the AuthLab process until it stops; it is never stored.',
  safeStorage: "Private keys are encrypted at rest with your operating system's keychain (Electron safeStorage).",
  'safeStorage-basic-text': 'Private keys are stored with Electron safeStorage in "basic_text" mode: no keyring protects them.',
};

const row: CSSProperties = { display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' };
const field: CSSProperties = { display: 'flex', flexDirection: 'column', gap: 2, fontSize: 12 };
const recordStyle: CSSProperties = { display: 'block', whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxHeight: 72, overflow: 'auto', padding: '4px 6px', background: 'var(--bg-2)', borderRadius: 4 };
const keyItem: CSSProperties = { borderTop: '1px solid var(--border)', padding: '8px 0', display: 'flex', flexDirection: 'column', gap: 4 };

type Err = { code: string; message: string } | null;
const errOf = (e: unknown): { code: string; message: string } => ({ code: String((e as { code?: unknown }).code ?? 'internal'), message: (e as Error).message });

function ErrorLine({ error, testId }: { error: Err; testId?: string }) {
  if (!error) return null;
  return (
    <p className="inline-error" role="alert" data-testid={testId} data-code={error.code}>
      {error.message} <span className="muted">({error.code})</span>
    </p>
  );
}

export function SigningLab({
  report,
  fileName,
  messageBytes,
  onSigned,
  onClose,
  announce,
  offline,
}: {
  /** The selected message's report, or null when none is loaded. */
  report: MessageReport | null;
  fileName: string | null;
  /** The selected message's bytes (the ones the report evaluated), or null when they cannot be had. */
  messageBytes: () => Promise<Uint8Array | null>;
  onSigned: (result: SignMessageResult, original: Uint8Array) => void;
  onClose: () => void;
  announce: (msg: string) => void;
  offline: boolean;
}) {
  const [status, setStatus] = useState<KeyStoreStatus | null>(null);
  const [statusError, setStatusError] = useState<Err>(null);
  const [keys, setKeys] = useState<PublicKeyInfo[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);

  const refresh = useCallback(async () => {
    try {
      const st = await bridge.keyStoreStatus();
      // the keys before the state: an "unlocked" store must not show an empty list while they load
      const list = st.state === 'unlocked' ? await bridge.listKeys() : undefined;
      setStatus(st);
      setStatusError(null);
      if (list) setKeys(list);
    } catch (e) {
      setStatusError(errOf(e));
    }
  }, []);
  useEffect(() => void refresh(), [refresh]);

  const unlocked = status?.state === 'unlocked';
  const fromDomain = report?.dmarc.fromDomain;

  return (
    <section className="panel signing-lab" aria-labelledby="signing-lab-heading" data-testid="signing-lab">
      <div style={{ ...row, justifyContent: 'space-between' }}>
        <h2 id="signing-lab-heading" style={{ margin: 0 }}>
          Signing lab
        </h2>
        <button type="button" className="secondary" onClick={onClose}>
          {report ? 'Back to results' : 'Close'}
        </button>
      </div>
      <p className="muted small">Create or import DKIM keys, sign a test message as your mail server would, and prove the result verifies before you publish anything.</p>
      <ErrorLine error={statusError} />
      {status && <KeyStorePanel status={status} onUnlocked={(st) => void refresh().then(() => announce(`Key store ${st.state}`))} />}
      {unlocked && (
        <>
          <KeyList
            keys={keys}
            chosen={chosen}
            onChoose={setChosen}
            onChanged={(list) => {
              setKeys(list);
              setChosen((c) => c.filter((id) => list.some((k) => k.id === id)));
            }}
            announce={announce}
            offline={offline}
          />
          {/* with keys, signing comes first; without, adding one does */}
          {keys.length > 0 && <SignForm keys={keys} chosen={chosen} report={report} fileName={fileName} messageBytes={messageBytes} onSigned={onSigned} announce={announce} offline={offline} />}
          <AddKey
            defaultDomain={fromDomain}
            onAdded={(k) => {
              setKeys((list) => [...list, k]);
              setChosen((c) => [...c, k.id]);
              announce(`Key ${k.selector}._domainkey.${k.domain} added`);
            }}
          />
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- key store

function KeyStorePanel({ status, onUnlocked }: { status: KeyStoreStatus; onUnlocked: (st: KeyStoreStatus) => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Err>(null);
  const id = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!passphrase) return;
    setBusy(true);
    setError(null);
    try {
      const st = await bridge.unlockKeyStore({ passphrase });
      setPassphrase('');
      onUnlocked(st);
    } catch (err) {
      setError(errOf(err));
    } finally {
      setBusy(false);
    }
  };
  const word = status.state === 'unlocked' ? 'pass' : status.state === 'corrupt' ? 'error' : 'none';
  return (
    <div data-testid="key-store" data-state={status.state} style={{ marginBottom: 8 }}>
      <h3 style={{ fontSize: 14, margin: '8px 0 4px' }}>
        Key store <StatusBadge word={word} label={status.state} />
      </h3>
      {status.warning && (
        <div className="limitations" role="alert" data-testid="key-store-warning">
          <strong>Warning: </strong>
          {status.warning}
        </div>
      )}
      <p className="muted small" style={{ margin: '4px 0' }}>
        {PROTECTION_NOTE[status.protection]} File: <code>{status.path}</code>
      </p>
      {status.error && (
        <p className="inline-error" role="alert" data-testid="key-store-error">
          {status.error}
        </p>
      )}
      {(status.state === 'locked' || status.state === 'absent') && status.protection === 'passphrase' && (
        <form onSubmit={(e) => void submit(e)} style={{ ...row, alignItems: 'flex-end' }} aria-label="Unlock the key store">
          <label style={field} htmlFor={`${id}-pass`}>
            <span>{status.state === 'absent' ? 'New key store passphrase' : 'Key store passphrase'}</span>
            <input id={`${id}-pass`} type="password" autoComplete={status.state === 'absent' ? 'new-password' : 'current-password'} value={passphrase} onChange={(e) => setPassphrase(e.target.value)} style={{ minWidth: 240 }} />
          </label>
          <button type="submit" disabled={busy || !passphrase}>
            {status.state === 'absent' ? 'Create key store' : 'Unlock'}
          </button>
        </form>
      )}
      {status.state === 'absent' && <p className="muted small">No key store yet: choose a passphrase to create one (nothing is written until the first key is saved).</p>}
      <ErrorLine error={error} testId="unlock-error" />
    </div>
  );
}

// ---------------------------------------------------------------- keys

function KeyList({
  keys,
  chosen,
  onChoose,
  onChanged,
  announce,
  offline,
}: {
  keys: PublicKeyInfo[];
  chosen: string[];
  onChoose: (ids: string[]) => void;
  onChanged: (keys: PublicKeyInfo[]) => void;
  announce: (msg: string) => void;
  offline: boolean;
}) {
  return (
    <div>
      <h3 style={{ fontSize: 14, margin: '12px 0 4px' }}>Keys ({keys.length})</h3>
      {!keys.length && <p className="muted small">No keys yet: generate or import one below.</p>}
      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Signing keys" data-testid="key-list">
        {keys.map((k) => (
          <KeyItem
            key={k.id}
            k={k}
            selected={chosen.includes(k.id)}
            onSelect={(on) => onChoose(on ? [...chosen, k.id] : chosen.filter((id) => id !== k.id))}
            onDeleted={onChanged}
            announce={announce}
            offline={offline}
          />
        ))}
      </ul>
    </div>
  );
}

function KeyItem({
  k,
  selected,
  onSelect,
  onDeleted,
  announce,
  offline,
}: {
  k: PublicKeyInfo;
  selected: boolean;
  onSelect: (on: boolean) => void;
  onDeleted: (keys: PublicKeyInfo[]) => void;
  announce: (msg: string) => void;
  offline: boolean;
}) {
  const [check, setCheck] = useState<PublishedCheckResult | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<Err>(null);
  const [confirmExport, setConfirmExport] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const name = `${k.selector}._domainkey.${k.domain}`;
  const run = async (fn: () => Promise<void>) => {
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(errOf(e));
    }
  };
  return (
    <li style={keyItem} data-testid="key-item" data-key-id={k.id} data-selector={k.selector}>
      <label className="checkbox">
        <input type="checkbox" checked={selected} onChange={(e) => onSelect(e.target.checked)} aria-label={`Sign with ${name}`} />
        <strong>{name}</strong>
      </label>
      <span className="muted small">
        {k.algorithm} · {k.type === 'rsa' ? `${k.bits} bits` : 'Ed25519'} · {k.origin} {new Date(k.created).toLocaleString()} · id <code>{k.id}</code>
      </span>
      <span className="small">DNS record to publish:</span>
      <code style={recordStyle} data-testid="dns-record">
        {k.dnsRecord}
      </code>
      <div style={row} role="group" aria-label={`Actions for ${name}`}>
        <button
          type="button"
          className="secondary"
          onClick={() => void copyText(k.dnsRecord).then(() => announce(`DNS record for ${name} copied`), (e: Error) => announce(`Copy failed: ${e.message}`))}
          aria-label={`Copy the DNS record for ${name}`}
        >
          Copy record
        </button>
        <button
          type="button"
          className="secondary"
          disabled={checking}
          title={offline ? 'Live DNS is off (offline mode)' : 'Look the record up in live DNS'}
          onClick={() =>
            void run(async () => {
              setChecking(true);
              try {
                setCheck(await bridge.checkPublished({ id: k.id }));
              } finally {
                setChecking(false);
              }
            })
          }
          aria-label={`Check whether ${name} is published`}
        >
          {checking ? 'Checking…' : 'Check published'}
        </button>
        {!confirmExport ? (
          <button type="button" className="secondary" onClick={() => setConfirmExport(true)}>
            Export private key…
          </button>
        ) : (
          <button
            type="button"
            className="secondary"
            style={{ borderColor: 'var(--bad)', color: 'var(--bad)' }}
            onClick={() =>
              void run(async () => {
                setConfirmExport(false);
                const file = await bridge.exportPrivateKey({ id: k.id, confirm: true });
                const saved = await bridge.saveFile({ fileName: file.fileName, content: file.pem });
                if (!saved.supported) download(file.fileName, 'application/x-pem-file', file.pem);
                announce(saved.supported && saved.saved ? `Private key saved to ${saved.path}` : saved.supported ? 'Export cancelled' : `Downloaded ${file.fileName}`);
              })
            }
          >
            Confirm: export unencrypted private key
          </button>
        )}
        {!confirmDelete ? (
          <button type="button" className="secondary" onClick={() => setConfirmDelete(true)} aria-label={`Delete ${name}`}>
            Delete…
          </button>
        ) : (
          <button
            type="button"
            className="secondary"
            style={{ borderColor: 'var(--bad)', color: 'var(--bad)' }}
            onClick={() => void run(async () => onDeleted(await bridge.deleteKey({ id: k.id })))}
          >
            Confirm delete
          </button>
        )}
      </div>
      {check && (
        <p className="small" style={{ margin: 0 }} data-testid="published-status" data-status={check.status}>
          <StatusBadge word={check.status === 'matching' ? 'pass' : check.status === 'unavailable' ? 'temperror' : check.status === 'absent' ? 'none' : 'fail'} label={check.status} /> {check.detail}
        </p>
      )}
      <ErrorLine error={error} />
    </li>
  );
}

function AddKey({ defaultDomain, onAdded }: { defaultDomain?: string; onAdded: (k: PublicKeyInfo) => void }) {
  const [domain, setDomain] = useState(defaultDomain ?? '');
  const [selector, setSelector] = useState('');
  const [choice, setChoice] = useState<(typeof KEY_CHOICES)[number]['value']>('rsa-2048');
  const [pem, setPem] = useState('');
  const [pemPass, setPemPass] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Err>(null);
  const id = useId();
  useEffect(() => {
    if (defaultDomain) setDomain((d) => d || defaultDomain);
  }, [defaultDomain]);

  const add = async (how: 'generate' | 'import') => {
    setBusy(true);
    setError(null);
    try {
      const k =
        how === 'generate'
          ? await bridge.generateKey(choice === 'ed25519' ? { domain, selector, type: 'ed25519' } : { domain, selector, type: 'rsa', bits: Number(choice.slice(4)) })
          : await bridge.importKey({ pem, domain, selector, ...(pemPass ? { passphrase: pemPass } : {}) });
      onAdded(k);
      setSelector('');
      setPem('');
      setPemPass('');
    } catch (e) {
      setError(errOf(e));
    } finally {
      setBusy(false);
    }
  };
  const ready = domain.trim() !== '' && selector.trim() !== '' && !busy;
  return (
    <form
      aria-labelledby={`${id}-h`}
      onSubmit={(e) => {
        e.preventDefault();
        void add('generate');
      }}
    >
      <h3 id={`${id}-h`} style={{ fontSize: 14, margin: '12px 0 4px' }}>
        Add a key
      </h3>
      <div className="envelope-form">
        <label htmlFor={`${id}-d`}>
          <span>Domain (d=)</span>
          <input id={`${id}-d`} value={domain} onChange={(e) => setDomain(e.target.value)} placeholder="example.com" spellCheck={false} />
        </label>
        <label htmlFor={`${id}-s`}>
          <span>Selector (s=)</span>
          <input id={`${id}-s`} value={selector} onChange={(e) => setSelector(e.target.value)} placeholder="e.g. s2026" spellCheck={false} />
        </label>
        <label htmlFor={`${id}-t`}>
          <span>Key type</span>
          <select id={`${id}-t`} value={choice} onChange={(e) => setChoice(e.target.value as typeof choice)}>
            {KEY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <div className="form-actions" style={{ gridColumn: 'auto', alignSelf: 'end' }}>
          <button type="submit" disabled={!ready}>
            {busy ? 'Working…' : 'Generate key'}
          </button>
        </div>
      </div>
      <details style={{ marginTop: 8 }}>
        <summary className="small">Import a PEM private key instead (PKCS#1 or PKCS#8, encrypted or not)</summary>
        <div style={{ display: 'flex', flexDirection: 'column', gap: 6, marginTop: 6 }}>
          <label style={field} htmlFor={`${id}-pem`}>
            <span>Private key (PEM)</span>
            <textarea id={`${id}-pem`} rows={5} value={pem} onChange={(e) => setPem(e.target.value)} spellCheck={false} placeholder="-----BEGIN PRIVATE KEY-----" />
          </label>
          <div style={{ ...row, alignItems: 'flex-end' }}>
            <label style={field} htmlFor={`${id}-pp`}>
              <span>PEM passphrase (if encrypted)</span>
              <input id={`${id}-pp`} type="password" autoComplete="off" value={pemPass} onChange={(e) => setPemPass(e.target.value)} />
            </label>
            <button type="button" disabled={!ready || !pem.trim()} onClick={() => void add('import')}>
              Import key
            </button>
          </div>
        </div>
      </details>
      <ErrorLine error={error} testId="add-key-error" />
    </form>
  );
}

// ---------------------------------------------------------------- sign

/** AuthLab's recomputed Authentication-Results for the message, as an AAR payload. */
function ownResults(report: MessageReport): string {
  return report.authenticationResults.replace(/^Authentication-Results:\s*/i, '').replace(/\r?\n[ \t]+/g, ' ').trim();
}

/** The authserv-ids those fields name, first spelling kept, each once. */
function storedAuthservIds(report: MessageReport): string[] {
  const seen = new Map<string, string>();
  for (const h of authResultsFields(report.stored.headers)) if (h.authservId && !seen.has(h.authservId.toLowerCase())) seen.set(h.authservId.toLowerCase(), h.authservId);
  return [...seen.values()];
}

/** What the chain on the message says for the next seal: cv= is what the sealer found (RFC 8617 §5.1). */
function arcChainNote(arc: MessageReport['arc']): string {
  if (arc.result === 'none') return 'No ARC set on this message yet: the first seal says cv=none.';
  const newest = arc.instances.at(-1);
  if (newest?.seal.cv?.toLowerCase() === 'fail') {
    return `Its newest seal (i=${newest.i}) already says cv=fail: a failed chain is not sealed again (RFC 8617 §5.1).`;
  }
  return `The ARC chain on this message: ${arc.result}. ${arc.reason} The new seal writes cv=${arc.result}.`;
}

function SignForm({
  keys,
  chosen,
  report,
  fileName,
  messageBytes,
  onSigned,
  announce,
  offline,
}: {
  keys: PublicKeyInfo[];
  chosen: string[];
  report: MessageReport | null;
  fileName: string | null;
  messageBytes: () => Promise<Uint8Array | null>;
  onSigned: (result: SignMessageResult, original: Uint8Array) => void;
  announce: (msg: string) => void;
  offline: boolean;
}) {
  const [mode, setMode] = useState<'keys' | 'rule'>('keys');
  const [envelopeSender, setEnvelopeSender] = useState('');
  const [canon, setCanon] = useState<CanonicalizationChoice>('relaxed/relaxed');
  const [overSign, setOverSign] = useState<string[]>([]);
  const [bodyLength, setBodyLength] = useState(false);
  const [expiry, setExpiry] = useState(0);
  const [arc, setArc] = useState(false);
  const [arcKey, setArcKey] = useState('');
  const [arcAr, setArcAr] = useState('');
  const [arFrom, setArFrom] = useState('');
  const [arcCv, setArcCv] = useState<'none' | 'pass' | 'fail'>('none');
  const [live, setLive] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Err>(null);
  const [last, setLast] = useState<SignMessageResult | null>(null);
  const id = useId();
  useEffect(() => setLast(null), [report]);
  // a sealer's cv= is what it found validating the chain it received (RFC 8617 §5.1): the
  // evaluation of this very message, with the DNS it was evaluated with
  useEffect(() => setArcCv(report?.arc.result ?? 'none'), [report]);
  // what the seal vouches for starts as AuthLab's own results for this message, anew for each message
  useEffect(() => {
    setArFrom('');
    setArcAr(report ? ownResults(report) : '');
  }, [report]);

  if (!report) {
    return (
      <div>
        <h3 style={{ fontSize: 14, margin: '12px 0 4px' }}>Sign a message</h3>
        <p className="muted small" data-testid="sign-needs-message">
          Load a message (drop, Open… or Paste…) to sign it here.
        </p>
      </div>
    );
  }
  const canSign = !busy && (mode === 'rule' || chosen.length > 0) && (!arc || (arcKey !== '' && arcAr.trim() !== ''));

  const sign = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const bytes = await messageBytes();
      if (!bytes) throw Object.assign(new Error('the bytes of this message are not available in the page (large mbox): sign it as a single message'), { code: 'unavailable' });
      const req: SignMessageRequest = {
        messageBase64: bytesToBase64(bytes),
        canonicalization: canon,
        ...(mode === 'keys' ? { keyIds: chosen } : { rules: [{ name: 'From domain', match: { fromDomain: '*' }, sign: 'from-domain' }], envelopeSender }),
        ...(overSign.length ? { overSign } : {}),
        ...(bodyLength ? { bodyLength: true } : {}),
        ...(EXPIRY[expiry]?.seconds ? { expires: EXPIRY[expiry].seconds } : {}),
        ...(arc ? { arc: { keyId: arcKey, authResults: arcAr, cv: arcCv } } : {}),
        ...(live ? { live: true } : {}),
      };
      const res = await bridge.signMessage(req);
      setLast(res);
      onSigned(res, bytes);
      announce(`Signed ${fileName ?? 'the message'}: round trip ${res.roundTrip.pass ? 'passes' : 'FAILS'}`);
    } catch (err) {
      setError(errOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void sign(e)} aria-labelledby={`${id}-h`} data-testid="sign-form">
      <h3 id={`${id}-h`} style={{ fontSize: 14, margin: '12px 0 4px' }}>
        Sign {fileName ? <code>{fileName}</code> : 'the selected message'}
      </h3>
      <fieldset style={{ border: '1px solid var(--border)', borderRadius: 6, margin: '4px 0 8px' }}>
        <legend className="small">Which keys sign</legend>
        <div style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
          <label className="radio">
            <input type="radio" name={`${id}-mode`} checked={mode === 'keys'} onChange={() => setMode('keys')} /> The keys ticked above ({chosen.length} chosen; RSA + Ed25519 gives dual signatures)
          </label>
          <label className="radio">
            <input type="radio" name={`${id}-mode`} checked={mode === 'rule'} onChange={() => setMode('rule')} /> A gateway rule: the newest keys of the From domain{report.dmarc.fromDomain ? ` (${report.dmarc.fromDomain})` : ''}, whatever the envelope sender
          </label>
          {mode === 'rule' && (
            <label style={field} htmlFor={`${id}-env`}>
              <span>Envelope sender (MAIL FROM; empty for a bounce)</span>
              <input id={`${id}-env`} value={envelopeSender} onChange={(e) => setEnvelopeSender(e.target.value)} placeholder="(null sender)" spellCheck={false} />
            </label>
          )}
        </div>
      </fieldset>
      <div className="envelope-form">
        <label htmlFor={`${id}-c`}>
          <span>Canonicalization (header/body)</span>
          <select id={`${id}-c`} value={canon} onChange={(e) => setCanon(e.target.value as CanonicalizationChoice)}>
            {(['relaxed/relaxed', 'relaxed/simple', 'simple/relaxed', 'simple/simple'] as const).map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label htmlFor={`${id}-x`}>
          <span>Expiry (x=)</span>
          <select id={`${id}-x`} value={expiry} onChange={(e) => setExpiry(Number(e.target.value))}>
            {EXPIRY.map((x, i) => (
              <option key={x.label} value={i}>
                {x.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset style={{ border: '1px solid var(--border)', borderRadius: 6, margin: '8px 0' }}>
        <legend className="small">Over-sign (an added copy of the field breaks the signature)</legend>
        <div style={row}>
          {OVERSIGN.map((h) => (
            <label key={h} className="checkbox small">
              <input type="checkbox" checked={overSign.includes(h)} onChange={(e) => setOverSign((o) => (e.target.checked ? [...o, h] : o.filter((x) => x !== h)))} /> {h}
            </label>
          ))}
        </div>
      </fieldset>
      <div style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
        <label className="checkbox small">
          <input type="checkbox" checked={bodyLength} onChange={(e) => setBodyLength(e.target.checked)} /> Add l= (body length; risky: text can be appended)
        </label>
        <label className="checkbox small">
          <input type="checkbox" checked={arc} onChange={(e) => setArc(e.target.checked)} /> Also ARC-seal, as a forwarding intermediary would
        </label>
        {arc && (
          <div className="envelope-form" style={{ marginLeft: 20 }}>
            <label htmlFor={`${id}-ak`}>
              <span>Sealing key</span>
              <select id={`${id}-ak`} value={arcKey} onChange={(e) => setArcKey(e.target.value)}>
                <option value="">Choose a key…</option>
                {keys.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.selector}._domainkey.{k.domain} ({k.algorithm})
                  </option>
                ))}
              </select>
            </label>
            <label htmlFor={`${id}-cv`}>
              <span>Chain validation (cv=)</span>
              <select id={`${id}-cv`} value={arcCv} onChange={(e) => setArcCv(e.target.value as typeof arcCv)}>
                <option value="none">none (first ARC set)</option>
                <option value="pass">pass</option>
                <option value="fail">fail</option>
              </select>
            </label>
            <p className="muted small" data-testid="arc-chain-found" data-result={report.arc.result} style={{ gridColumn: '1 / -1', margin: 0 }}>
              {arcChainNote(report.arc)}
            </p>
            <label htmlFor={`${id}-arfrom`} style={{ gridColumn: '1 / -1' }}>
              <span>Vouch for</span>
              <select
                id={`${id}-arfrom`}
                value={arFrom}
                onChange={(e) => {
                  setArFrom(e.target.value);
                  setArcAr(e.target.value ? (mergedAuthResults(authResultsFields(report.stored.headers), e.target.value) ?? '') : ownResults(report));
                }}
              >
                <option value="">AuthLab's own results for this message</option>
                {storedAuthservIds(report).map((a) => (
                  <option key={a} value={a}>
                    The message's results from {a}
                  </option>
                ))}
              </select>
            </label>
            <label htmlFor={`${id}-ar`} style={{ gridColumn: '1 / -1' }}>
              <span>Authentication-Results the sealer vouches for</span>
              <textarea id={`${id}-ar`} rows={2} value={arcAr} onChange={(e) => setArcAr(e.target.value)} spellCheck={false} />
            </label>
          </div>
        )}
        <label className="checkbox small">
          <input type="checkbox" checked={live} disabled={offline} onChange={(e) => setLive(e.target.checked)} /> Also verify against live DNS (would it pass at a receiver today?){offline ? ' — off in offline mode' : ''}
        </label>
      </div>
      <div className="form-actions" style={{ marginTop: 8 }}>
        <button type="submit" disabled={!canSign}>
          {busy ? 'Signing…' : 'Sign message'}
        </button>
        {mode === 'keys' && !chosen.length && <span className="muted small">Tick at least one key above.</span>}
        {last && (
          <span className="small" data-testid="sign-summary">
            <StatusBadge word={last.roundTrip.pass ? 'pass' : 'fail'} label={`round trip ${last.roundTrip.pass ? 'pass' : 'fail'}`} /> see the Signed output tab
          </span>
        )}
      </div>
      <ErrorLine error={error} testId="sign-error" />
      <p className="muted small">Signing happens in the AuthLab process; this page never holds a private key.</p>
    </form>
  );
}
