// Markdown export. Message text is escaped so a crafted Subject cannot inject links, HTML or
// table breaks into the document (Markdown viewers pass raw HTML through).

import type { MessageReport } from '../../../shared/report.ts';
import { reportSections, reportTitle, type Section } from './sections.ts';

/** Escapes the CommonMark punctuation that can start markup mid-line (our text never starts a line) and keeps it on one line. */
export function mdInline(text: string): string {
  return text.replace(/[\\`*_\[\]<>|~&]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function mdCell(text: string): string {
  return text.split(/\r?\n/).map(mdInline).join('<br>');
}

/** A fenced block that the content cannot close (fence longer than any backtick run inside). */
export function mdCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text.replace(/\n$/, '')}\n${fence}`;
}

function render(sec: Section, depth: number, out: string[]): void {
  out.push(`${'#'.repeat(depth)} ${mdInline(sec.title)}`, '');
  if (sec.result !== undefined || sec.reason) {
    out.push(`**Result: ${mdInline(sec.result ?? '—')}**${sec.reason ? ` — ${mdInline(sec.reason)}` : ''}`, '');
  }
  if (sec.facts.length) {
    for (const [k, v] of sec.facts) out.push(`- **${mdInline(k)}:** ${mdInline(v)}`);
    out.push('');
  }
  if (sec.lines.length) {
    for (const l of sec.lines) out.push(`- ${mdInline(l)}`);
    out.push('');
  }
  if (sec.code) out.push(mdCode(sec.code), '');
  for (const t of sec.tables) {
    out.push(`| ${t.head.map(mdCell).join(' | ')} |`, `| ${t.head.map(() => '---').join(' | ')} |`);
    for (const row of t.rows) out.push(`| ${row.map(mdCell).join(' | ')} |`);
    out.push('');
  }
  if (sec.steps.length) {
    for (const st of sec.steps) {
      out.push(`- \`${st.status.toUpperCase()}\` **${mdInline(st.title)}**${st.detail ? ` — ${mdInline(st.detail)}` : ''}`);
    }
    out.push('');
  }
  for (const child of sec.children) render(child, Math.min(depth + 1, 6), out);
}

export function reportToMarkdown(report: MessageReport): string {
  const out: string[] = [`# ${mdInline(reportTitle(report))}`, ''];
  for (const sec of reportSections(report)) render(sec, 2, out);
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
