/**
 * A loop's doorbell: `wait(ms)` resolves when `ring()` is called or after `ms`, whichever comes
 * first. A ring before the wait is not lost: the next wait returns at once.
 */
export class Wakeup {
  private rung = false;
  private resolve: (() => void) | undefined;

  ring(): void {
    this.rung = true;
    this.resolve?.();
  }

  async wait(ms: number): Promise<void> {
    if (this.rung) {
      this.rung = false;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.resolve = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.resolve = undefined;
    this.rung = false;
  }
}
