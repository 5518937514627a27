/**
 * Neutralises an uploaded file's name so it can be kept as metadata and echoed in a
 * Content-Disposition header. The name never reaches the filesystem (blobs are stored
 * under a generated id); this only makes it harmless to show: no path, no control or
 * bidirectional-override characters, bounded length.
 */

/** Longest name kept, in characters (code points), extension included. @default 120 */
export const SAFE_NAME_MAX = 120;

/**
 * C0/C1 controls and DEL, bidi embeddings/overrides/isolates and marks (U+202A–U+202E,
 * U+2066–U+2069, U+200E, U+200F, U+061C), zero-width and BOM characters, line/paragraph
 * separators: all can hide or reorder what a person reads ("invoice‮fdp.exe").
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;
/** Characters Windows and shells treat specially; replaced so a saved download is a plain name. */
const RESERVED = /[<>:"|?*\\/]/g;

export function safeFileName(raw: string | undefined | null, fallback = 'file'): string {
  let name = (raw ?? '').normalize('NFC');
  // Keep only the last path segment, whichever separator the client's OS used.
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.replace(UNSAFE, '').replace(RESERVED, '_');
  // Leading dots ("..", ".htaccess") and edge spaces or dots confuse shells and Windows.
  name = name.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  const chars = [...name];
  if (chars.length > SAFE_NAME_MAX) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? [...name.slice(dot)] : [];
    const keepExt = ext.length > 1 && ext.length <= 10 ? ext : [];
    name = chars.slice(0, SAFE_NAME_MAX - keepExt.length).join('') + keepExt.join('');
  }
  return name.length > 0 ? name : fallback;
}
