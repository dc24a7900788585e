/**
 * The progress bar of the CLI: what one line says, and that nothing is drawn off a terminal.
 */
import { describe, expect, it } from 'vitest';
import { bar, formatDuration, ProgressBar, renderProgress } from '../../cli/progress.ts';

describe('renderProgress', () => {
  it('shows bar, percentage, counts, rate and ETA', () => {
    const line = renderProgress({
      label: 'Importing',
      unit: 'rows',
      done: 1050,
      total: 2500,
      elapsedMs: 3000,
      width: 100,
    });
    expect(line).toMatch(/^Importing [█▏▎▍▌▋▊▉ ]{40} {2}42% 1,050\/2,500 rows 350\/s ETA 4s$/);
  });

  it('fits a narrow terminal and copes with an unknown total', () => {
    const narrow = renderProgress({
      label: 'Sending',
      unit: 'contacts',
      done: 5,
      total: 10,
      elapsedMs: 1000,
      width: 40,
    });
    expect(narrow.length).toBeLessThanOrEqual(40);
    expect(
      renderProgress({ label: 'Sending', unit: 'contacts', done: 0, total: 0, elapsedMs: 0, width: 80 }),
    ).toBe('Sending 0 contacts');
  });

  it('draws bars with eighth blocks', () => {
    expect(bar(0.5, 4)).toBe('██  ');
    expect(bar(1 / 16, 2)).toBe('▏ ');
    expect(bar(1, 3)).toBe('███');
  });

  it('formats durations', () => {
    expect(formatDuration(4.4)).toBe('4s');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatDuration(3 * 3600 + 120)).toBe('3h02m');
  });
});

describe('ProgressBar', () => {
  const stream = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, isTTY, columns: 80, write: (t: string) => writes.push(t) > 0 };
  };

  it('draws in place on a terminal and ends the line when finished', () => {
    const s = stream(true);
    const progress = new ProgressBar('Importing', 'rows', s);
    progress.update(1, 2);
    progress.finish();
    expect(s.writes[0]).toMatch(/^\rImporting .* 50% 1\/2 rows/);
    expect(s.writes[0]?.endsWith('\u001b[K')).toBe(true);
    expect(s.writes.at(-1)).toBe('\n');
  });

  it('draws nothing when the stream is not a terminal, or when told not to', () => {
    const pipe = stream(false);
    const quiet = stream(true);
    for (const p of [new ProgressBar('x', 'rows', pipe), new ProgressBar('x', 'rows', quiet, false)]) {
      p.update(1, 2);
      p.clear();
      p.finish();
    }
    expect(pipe.writes).toEqual([]);
    expect(quiet.writes).toEqual([]);
  });
});
