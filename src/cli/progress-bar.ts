/**
 * A progress line for a terminal (redrawn in place) or, when stderr is not a terminal, plain
 * lines at most every 10% so logs stay readable.
 */
export function createProgressReporter(write: (s: string) => void, isTTY: boolean, width = 30) {
  let lastShown = -1;
  return {
    update(done: number, total: number | null, label: string): void {
      if (isTTY) {
        if (total && total > 0) {
          const ratio = Math.min(1, done / total);
          const filled = Math.round(ratio * width);
          write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${done}/${total} ${label}\x1b[K`);
        } else write(`\r${done} ${label}\x1b[K`);
        return;
      }
      const step = total && total > 0 ? Math.floor((done / total) * 10) : Math.floor(done / 1000);
      if (step !== lastShown) {
        lastShown = step;
        write(`${done}${total ? `/${total}` : ''} ${label}\n`);
      }
    },
    finish(): void {
      if (isTTY) write('\n');
    },
  };
}
