/**
 * A progress bar on stderr: bar, percentage, counts, rate and ETA, redrawn in place. It draws only
 * on a terminal, so pipes, logs and `--json` runs see nothing of it.
 */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export interface ProgressState {
  label: string;
  unit: string;
  done: number;
  /** 0 while the total is not known yet. */
  total: number;
  elapsedMs: number;
  width: number;
}

const redrawEveryMs = 80;
const eighths = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** The bar on the line currently drawn, so that an error can clear it before it is printed. */
let drawn: ProgressBar | undefined;

export class ProgressBar {
  private readonly startedAt = Date.now();
  private lastDrawAt = 0;
  private done = 0;
  private total = 0;

  constructor(
    private readonly label: string,
    private readonly unit: string,
    private readonly stream: ProgressStream = process.stderr,
    private readonly enabled: boolean = stream.isTTY === true,
  ) {}

  update(done: number, total: number): void {
    this.done = done;
    this.total = total;
    const now = Date.now();
    if (now - this.lastDrawAt >= redrawEveryMs) this.draw(now);
  }

  /** Draws the final state and moves to the next line. */
  finish(): void {
    if (!this.enabled) return;
    this.draw(Date.now());
    this.stream.write('\n');
    drawn = undefined;
  }

  /** Erases the bar, leaving the cursor at the start of an empty line. */
  clear(): void {
    if (!this.enabled) return;
    this.stream.write('\r\x1b[K');
    drawn = undefined;
  }

  private draw(now: number): void {
    if (!this.enabled) return;
    this.lastDrawAt = now;
    const line = renderProgress({
      label: this.label,
      unit: this.unit,
      done: this.done,
      total: this.total,
      elapsedMs: now - this.startedAt,
      width: (this.stream.columns || 80) - 1,
    });
    this.stream.write(`\r${line}\x1b[K`);
    drawn = this;
  }
}

/** Clears whatever bar is on screen (before an error line or on Ctrl-C). */
export function clearProgress(): void {
  drawn?.clear();
}

/** One line: `label ████▌     42% 1,050/2,500 rows 350/s ETA 4s`, fitted to the width. */
export function renderProgress(state: ProgressState): string {
  const { label, unit, done, total, elapsedMs, width } = state;
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const rateText = seconds >= 0.5 ? `${formatCount(Math.round(rate))}/s` : '';
  if (total <= 0) {
    return fitLine([label, `${formatCount(done)} ${unit}`, rateText], width);
  }
  const fraction = Math.min(1, Math.max(0, done / total));
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const counts = `${formatCount(done)}/${formatCount(total)} ${unit}`;
  const remaining = total - done;
  const eta = rate > 0 && remaining > 0 ? `ETA ${formatDuration(remaining / rate)}` : '';
  const rest = [percent, counts, rateText, eta].filter((s) => s !== '').join(' ');
  const barWidth = Math.min(40, width - label.length - rest.length - 2);
  if (barWidth < 5) return fitLine([label, rest], width);
  return `${label} ${bar(fraction, barWidth)} ${rest}`;
}

/** A bar of `width` cells with eighth-block precision. */
export function bar(fraction: number, width: number): string {
  const cells = Math.max(0, Math.min(1, fraction)) * width;
  const full = Math.floor(cells);
  const partial = full < width ? (eighths[Math.floor((cells - full) * 8)] ?? '') : '';
  return `${'█'.repeat(full)}${partial}`.padEnd(width, ' ');
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const formatCount = (n: number): string => n.toLocaleString('en-US');

const fitLine = (parts: string[], width: number): string => {
  const line = parts.filter((s) => s !== '').join(' ');
  return line.length > width ? line.slice(0, Math.max(0, width)) : line;
};
