// The SMTP envelope the checks used (and where each part came from), editable; the DNS source;
// the what-if zone and what it changed.
import { useEffect, useState } from 'react';
import type { Envelope, MessageReport } from '../../../shared/report.ts';
import type { EnvelopeOverrides } from '../state.ts';
import { ZoneEditor } from './ZoneEditor.tsx';

const ORIGIN_WORDS: Record<string, string> = {
  given: 'given by you',
  received: 'from Received hop',
  'return-path': 'from Return-Path',
  none: 'unknown',
};

function originText(env: Envelope, which: 'ip' | 'helo' | 'mailFrom'): string {
  const o = env.origin[which];
  return o === 'received' && env.hop ? `${ORIGIN_WORDS[o]} #${env.hop}` : ORIGIN_WORDS[o];
}

export function EnvelopePanel({
  report,
  overrides,
  onApply,
  offline,
  onOffline,
  servers,
  onServers,
  zoneText,
  onZone,
  zoneError,
  busy,
}: {
  report: MessageReport;
  overrides: EnvelopeOverrides;
  onApply: (o: EnvelopeOverrides) => void;
  offline: boolean;
  onOffline: (v: boolean) => void;
  servers: string[];
  onServers: (s: string[]) => void;
  zoneText: string;
  onZone: (t: string) => void;
  zoneError?: string;
  busy: boolean;
}) {
  const env = report.envelope;
  const [ip, setIp] = useState(overrides.ip ?? env.ip ?? '');
  const [helo, setHelo] = useState(overrides.helo ?? env.helo ?? '');
  const [mailFrom, setMailFrom] = useState(overrides.mailFrom ?? env.mailFrom ?? '');
  const [serverText, setServerText] = useState(servers.join(', '));
  useEffect(() => {
    setIp(overrides.ip ?? env.ip ?? '');
    setHelo(overrides.helo ?? env.helo ?? '');
    setMailFrom(overrides.mailFrom ?? env.mailFrom ?? '');
  }, [env, overrides]);
  useEffect(() => setServerText(servers.join(', ')), [servers]);

  const apply = () => {
    const o: EnvelopeOverrides = { hop: overrides.hop };
    if (ip.trim() && ip.trim() !== env.ip) o.ip = ip.trim();
    else if (overrides.ip && ip.trim()) o.ip = ip.trim();
    if (helo.trim() && (helo.trim() !== env.helo || overrides.helo)) o.helo = helo.trim();
    if (mailFrom !== (env.mailFrom ?? '') || overrides.mailFrom !== undefined) o.mailFrom = mailFrom.trim().replace(/^<(.*)>$/, '$1');
    onApply(o);
  };

  return (
    <section className="panel envelope-panel" aria-labelledby="envelope-heading">
      <h2 id="envelope-heading">Envelope &amp; DNS</h2>
      <form
        className="envelope-form"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <label>
          <span>Client IP</span>
          <input value={ip} onChange={(e) => setIp(e.target.value)} placeholder="e.g. 192.0.2.10" spellCheck={false} />
          <small className="origin">{originText(env, 'ip')}</small>
        </label>
        <label>
          <span>HELO</span>
          <input value={helo} onChange={(e) => setHelo(e.target.value)} placeholder="mail.example.com" spellCheck={false} />
          <small className="origin">{originText(env, 'helo')}</small>
        </label>
        <label>
          <span>MAIL FROM</span>
          <input value={mailFrom} onChange={(e) => setMailFrom(e.target.value)} placeholder="empty = null sender <>" spellCheck={false} />
          <small className="origin">{originText(env, 'mailFrom')}</small>
        </label>
        <label>
          <span>Boundary hop</span>
          <select
            value={overrides.hop ?? ''}
            onChange={(e) => onApply({ ...overrides, hop: e.target.value ? Number(e.target.value) : undefined })}
            aria-label="Received hop taken as the receiving boundary"
          >
            <option value="">automatic{env.hop ? ` (#${env.hop})` : ''}</option>
            {env.hops.map((h) => (
              <option key={h.index} value={h.index}>
                #{h.index} {h.ip ?? ''} {h.by ?? ''}
              </option>
            ))}
          </select>
        </label>
        <div className="form-actions">
          <button type="submit" disabled={busy}>
            Re-evaluate
          </button>
          <button type="button" className="secondary" onClick={() => onApply({})} disabled={busy}>
            Derive from headers
          </button>
        </div>
      </form>

      <fieldset className="dns-source">
        <legend>DNS</legend>
        <label className="radio">
          <input type="radio" name="dns-mode" checked={!offline} onChange={() => onOffline(false)} /> Live
        </label>
        <label className="radio">
          <input type="radio" name="dns-mode" checked={offline} onChange={() => onOffline(true)} /> Offline (what-if zone only)
        </label>
        <label className="servers">
          <span>Resolvers</span>
          <input
            value={serverText}
            onChange={(e) => setServerText(e.target.value)}
            onBlur={() =>
              onServers(
                serverText
                  .split(/[\s,]+/)
                  .map((s) => s.trim())
                  .filter(Boolean),
              )
            }
            placeholder="system resolvers (e.g. 127.0.0.1:5353, 9.9.9.9)"
            disabled={offline}
            spellCheck={false}
          />
        </label>
      </fieldset>

      <h3 className="zone-heading" id="zone-heading">
        What-if zone
      </h3>
      <p className="muted small">Records here win over DNS. Edits re-evaluate the message after a pause.</p>
      <ZoneEditor value={zoneText} onChange={onZone} error={zoneError} />
    </section>
  );
}
