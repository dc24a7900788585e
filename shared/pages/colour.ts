/**
 * Colours derived from a survey's accent so that any accent a team picks stays readable
 * (WCAG 2.1 AA: 4.5:1 for text). The accent fills buttons with whichever of white or black
 * reads better on it; a darker shade of it ("ink") is used for text, links and focus rings on white.
 */
export const defaultAccent = '#1d4ed8';

export interface Palette {
  /** Background of buttons and the chosen score: the accent itself. */
  fill: string;
  /** Text on `fill`. */
  onFill: string;
  /** The accent, darkened until it reads on white at 4.5:1. */
  ink: string;
}

const hexPattern = /^#[0-9a-fA-F]{6}$/;

// A few accents per installation, each worked out once (the contrast search is not free).
const palettes = new Map<string, Palette>();

export function paletteOf(accent: string | undefined): Palette {
  const key = accent ?? '';
  let palette = palettes.get(key);
  if (!palette) {
    palette = paletteFor(accent);
    if (palettes.size > 100) palettes.clear();
    palettes.set(key, palette);
  }
  return palette;
}

function paletteFor(accent: string | undefined): Palette {
  const fill = accent && hexPattern.test(accent) ? accent.toLowerCase() : defaultAccent;
  const onFill = contrast(fill, '#ffffff') >= contrast(fill, '#000000') ? '#ffffff' : '#000000';
  let ink = fill;
  for (let i = 0; i < 40 && contrast(ink, '#ffffff') < 4.5; i++) ink = darken(ink, 0.9);
  return { fill, onFill, ink };
}

const channels = (hex: string): [number, number, number] => [
  Number.parseInt(hex.slice(1, 3), 16),
  Number.parseInt(hex.slice(3, 5), 16),
  Number.parseInt(hex.slice(5, 7), 16),
];

/** Relative luminance, as WCAG defines it. */
function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const darken = (hex: string, factor: number): string =>
  `#${channels(hex)
    .map((c) =>
      Math.round(c * factor)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
