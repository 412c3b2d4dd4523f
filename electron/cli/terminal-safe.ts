// Text for a terminal from a report whose strings came from a suspicious message (Subject, From,
// header values, Received lines) or from DNS answers its senders control (TXT records, exp=).
// Printed raw, an escape sequence in a decoded Subject recolours the screen, retitles the window or,
// on some terminals, writes the clipboard; a carriage return or a line feed draws a fake line over
// the report ("DKIM  PASS"); bidi controls reorder what is shown. shared/visible-controls.ts shows
// each as a visible stand-in. JSON output needs none of this: JSON.stringify escapes control
// characters, and JSON consumers do not interpret them.

export {
  showControls as terminalSafe,
  showControlsKeepingLines as terminalSafeLines,
  showControlsDeep as terminalSafeDeep,
  REPORT_TEXT_BLOCKS,
} from '../../shared/visible-controls.ts';
