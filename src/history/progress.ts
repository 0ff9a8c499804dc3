/** A one-line progress bar on a terminal's stderr, redrawn in place; cleared when done. */
export class ProgressBar {
  private count = 0;
  private lastDraw = 0;

  constructor(
    private readonly total: number,
    private readonly write: (text: string) => void,
    private readonly width = 30,
  ) {}

  tick(label: string): void {
    this.count++;
    const now = Date.now();
    // Redrawing more often than the eye can follow only costs time on a long history.
    if (now - this.lastDraw < 50 && this.count < this.total) return;
    this.lastDraw = now;
    const filled = this.total === 0 ? this.width : Math.round((this.count / this.total) * this.width);
    this.write(`\r[${"#".repeat(filled)}${".".repeat(this.width - filled)}] ${this.count}/${this.total} ${label}\u001b[K`);
  }

  done(): void {
    this.write("\r\u001b[K");
  }
}
