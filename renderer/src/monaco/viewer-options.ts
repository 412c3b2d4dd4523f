// Options only (no Monaco import): components can use them without pulling the editor into the first chunk.

/** What every read-only viewer in the inspector shares (raw message, canonical forms, signed output). */
export const READ_ONLY_VIEWER = {
  readOnly: true,
  domReadOnly: true,
  minimap: { enabled: false },
  automaticLayout: true,
  scrollBeyondLastLine: false,
  fontSize: 12,
} as const;
