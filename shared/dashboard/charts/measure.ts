/**
 * Text sizes estimated without a browser. The charts stretch to their column with text at a fixed
 * pixel size, so labels are placed for the narrowest column planned for (280 px: a 320 px phone less the page's and the card's padding) and
 * only get more room on wider ones. Estimates err wide: a label thinned out once too often costs
 * less than two labels drawn on top of each other.
 */

/** The narrowest chart width the layout is planned for, in px. */
export const narrowPx = 280;

// East Asian wide characters, Hangul, full-width forms and emoji take a whole em.
const isWide = (c: number): boolean =>
  (c >= 0x1100 && c <= 0x115f) ||
  (c >= 0x2e80 && c <= 0xa4cf) ||
  (c >= 0xac00 && c <= 0xd7a3) ||
  (c >= 0xf900 && c <= 0xfaff) ||
  (c >= 0xfe30 && c <= 0xfe4f) ||
  (c >= 0xff00 && c <= 0xff60) ||
  (c >= 0xffe0 && c <= 0xffe6) ||
  c >= 0x1f300;

const narrow = new Set(" .,:;!|'`ijlIft()[]\u00a0\u2009\u202f");
const broad = new Set('mwMW%@—');

function charEm(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  if (isWide(c)) return 1;
  if (narrow.has(ch)) return 0.34;
  if (broad.has(ch)) return 0.92;
  if (ch !== ch.toLowerCase()) return 0.7;
  return 0.6;
}

/** Estimated width in px of one line of text at `fontPx` (bold adds a tenth). */
export function textWidth(text: string, fontPx: number, bold = false): number {
  let em = 0;
  for (const ch of text) em += charEm(ch);
  return em * fontPx * (bold ? 1.1 : 1);
}

/** The text cut to fit `maxPx`, ending in "…" when cut. */
export function ellipsize(text: string, maxPx: number, fontPx: number): string {
  if (textWidth(text, fontPx) <= maxPx) return text;
  const chars = Array.from(text);
  while (chars.length > 1 && textWidth(`${chars.join('').trimEnd()}…`, fontPx) > maxPx) chars.pop();
  return `${chars.join('').trimEnd()}…`;
}

/**
 * The text broken at spaces into lines of at most `maxPx` (words longer than a line are broken
 * too), at most `maxLines` of them, the last ending in "…" when something was left out.
 */
export function wrapText(text: string, maxPx: number, fontPx: number, maxLines: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (let word of text.split(/\s+/).filter((w) => w !== '')) {
    const joined = current === '' ? word : `${current} ${word}`;
    if (textWidth(joined, fontPx) <= maxPx) {
      current = joined;
      continue;
    }
    if (current !== '') lines.push(current);
    while (textWidth(word, fontPx) > maxPx) {
      const chars = Array.from(word);
      let cut = chars.length - 1;
      while (cut > 1 && textWidth(chars.slice(0, cut).join(''), fontPx) > maxPx) cut--;
      lines.push(chars.slice(0, cut).join(''));
      word = chars.slice(cut).join('');
    }
    current = word;
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = ellipsize(`${kept[maxLines - 1]} ${lines[maxLines]}`, maxPx, fontPx);
  return kept;
}
