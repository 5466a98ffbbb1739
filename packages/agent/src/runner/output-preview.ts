/**
 * The inline part of a step's output: what GetCommandInvocation shows as StandardOutputContent (24,000
 * characters) and StandardErrorContent (8,000). SSM Agent's limits (appconfig.MaxStdoutLength and
 * MaxStderrLength); the whole output stays in the step's files.
 *
 * Characters are UTF-16 code units, as JavaScript strings and SSM's API count them, and a preview never ends
 * in half a surrogate pair. Output that is not UTF-8 is decoded with U+FFFD in place of each invalid sequence.
 */

export const STDOUT_PREVIEW_CHARACTERS = 24_000;
export const STDERR_PREVIEW_CHARACTERS = 8_000;

/** The bytes worth keeping to produce `characters` characters: UTF-8 takes at most 4 bytes per character. */
export function previewByteBudget(characters: number): number {
  return characters * 4;
}

/** The first `characters` characters of `text`, without splitting a surrogate pair. */
export function clipText(text: string, characters: number): string {
  if (text.length <= characters) return text;
  let end = Math.max(0, characters);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/** Decode the head of an output and clip it; `truncated` when the output holds more than the preview shows. */
export function previewOf(head: Uint8Array, totalBytes: number, characters: number): { preview: string; truncated: boolean } {
  // stream: true leaves an incomplete sequence at the very end undecoded instead of turning it into U+FFFD:
  // the head may have been cut in the middle of a character that the file holds whole.
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(head, { stream: head.byteLength < totalBytes });
  const preview = clipText(decoded, characters);
  return { preview, truncated: preview.length < decoded.length || head.byteLength < totalBytes };
}

/**
 * A preview with the runner's notes after the output (SSM Agent appends its sentences, e.g. "Step exited with
 * code 168...", and the plugin's error to the step's output). The notes always survive: the output is clipped
 * to leave room for them, so the preview stays within its limit.
 */
export function withNotes(preview: string, notes: readonly string[], characters: number): string {
  const text = notes.filter((note) => note !== '').join('\n');
  if (text === '') return preview;
  if (text.length >= characters) return clipText(text, characters);
  if (preview === '') return text;
  return `${clipText(preview, characters - text.length - 1)}\n${text}`;
}
