/** A benchmark's result: one measured figure, the goal it is held to, and whether it met it. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The goal as a reader would state it ("<= 2"); null for a figure reported for context only. */
  goal: string | null;
  pass: boolean;
}

/** A figure with no goal: printed for context, never failing. */
export const info = (name: string, value: number, unit: string): Figure => ({
  name,
  value,
  unit,
  goal: null,
  pass: true,
});

export const atLeast = (name: string, value: number, unit: string, goal: number): Figure => ({
  name,
  value,
  unit,
  goal: `>= ${goal}`,
  pass: value >= goal,
});

export const atMost = (name: string, value: number, unit: string, goal: number): Figure => ({
  name,
  value,
  unit,
  goal: `<= ${goal}`,
  pass: value <= goal,
});

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] as number;
  return sorted.length % 2 ? hi : ((sorted[mid - 1] as number) + hi) / 2;
}

/** The p-th percentile (p in 0–100, nearest rank) of the values; NaN when there are none. */
export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

/** Rounds for printing: three significant decimals are more than these machines can tell apart. */
export const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

/** Human progress goes to stderr; stdout carries only the figures. */
export const progress = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};
