/**
 * How output looks on this terminal: colour only on a TTY without NO_COLOR, numbers in one style.
 */
export type Colour = 'green' | 'yellow' | 'red' | 'dim' | 'bold';

const codes: Record<Colour, [number, number]> = {
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  dim: [2, 22],
  bold: [1, 22],
};

/** Colour on stdout follows https://no-color.org: off when NO_COLOR is set to anything non-empty. */
export function stdoutHasColour(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
}

export type Paint = (colour: Colour, text: string) => string;

export const painter =
  (enabled: boolean): Paint =>
  (colour, text) => {
    if (!enabled || text === '') return text;
    const [open, close] = codes[colour];
    return `\x1b[${open}m${text}\x1b[${close}m`;
  };

/** 1234.56 → "1,234.6": thousands separated, at most `decimals` decimals. */
export const formatNumber = (n: number, decimals = 1): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: decimals });

/** A share from 0 to 1 as a percentage with one decimal: 0.315 → "31.5%". */
export const formatShare = (share: number): string =>
  `${(share * 100).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;

/** The visible width of a string, ignoring colour codes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what starts a colour code.
export const visibleLength = (text: string): number => [...text.replace(/\x1b\[[0-9;]*m/g, '')].length;
