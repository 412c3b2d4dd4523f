// Monarch languages: RFC 5322 headers (with DKIM/ARC tag lists) and RFC 1035 zone files.
import type * as Monaco from 'monaco-editor/editor/editor.api';

export const MESSAGE_LANGUAGE = 'rfc5322';
export const ZONE_LANGUAGE = 'dnszone';

const AUTH_FIELDS = /(DKIM-Signature|ARC-Seal|ARC-Message-Signature|ARC-Authentication-Results|Authentication-Results|Received-SPF)/;

export function registerLanguages(monaco: typeof Monaco): void {
  monaco.languages.register({ id: MESSAGE_LANGUAGE });
  monaco.languages.setMonarchTokensProvider(MESSAGE_LANGUAGE, {
    ignoreCase: true,
    defaultToken: '',
    tokenizer: {
      root: [
        // the empty line ends the header section; everything after is body
        [/^$/, { token: '', next: '@body' }],
        [new RegExp(`^${AUTH_FIELDS.source}(\\s*:)`), ['header.name.auth', { token: 'delimiter', next: '@tagged' }]],
        [/^([!-9;-~]+)(\s*:)/, ['header.name', 'delimiter']],
        [/^[ \t].*$/, 'header.value'],
        [/.+$/, 'header.value'],
      ],
      // DKIM/ARC tag=value lists, continuing over folded lines
      tagged: [
        [/^$/, { token: '', next: '@body' }],
        [/^(?=[!-9;-~]+\s*:)/, { token: '', next: '@pop' }],
        [/([a-zA-Z][a-zA-Z0-9_]*)(\s*=)/, ['tag.name', 'delimiter']],
        [/;/, 'delimiter'],
        [/[^;=]+?(?=;|$)/, 'tag.value'],
        [/\s+/, ''],
      ],
      body: [[/.*$/, 'body']],
    },
  });

  monaco.languages.register({ id: ZONE_LANGUAGE });
  monaco.languages.setLanguageConfiguration(ZONE_LANGUAGE, { comments: { lineComment: ';' } });
  monaco.languages.setMonarchTokensProvider(ZONE_LANGUAGE, {
    ignoreCase: true,
    tokenizer: {
      root: [
        [/;.*$/, 'comment'],
        [/^\$(ORIGIN|TTL|INCLUDE)\b/, 'zone.directive'],
        [/^[^\s;]+/, 'zone.owner'],
        [/\b(IN|CH|HS)\b/, 'keyword'],
        [/\b(TXT|A|AAAA|MX|PTR|CNAME|NS|SOA|SPF|CAA)\b/, 'zone.type'],
        [/"/, { token: 'string.quote', next: '@string' }],
        [/\b\d+\b/, 'number'],
        [/[()]/, 'delimiter.parenthesis'],
        [/[^\s;"()]+/, 'identifier'],
      ],
      string: [
        [/[^\\"]+/, 'string'],
        [/\\./, 'string.escape'],
        [/"/, { token: 'string.quote', next: '@pop' }],
      ],
    },
  });
}
