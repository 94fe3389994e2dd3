// Escaping text for the XML service definitions (launchd plist, WinSW).

/** Escapes `&`, `<`, `>`, `"` and `'` for element text and attribute values. */
export function xmlEscape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}
