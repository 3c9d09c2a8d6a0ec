// The node's notion of "now", in unix seconds. Devnets can shift it (POST /dev/time) to
// test timestamp rules and retargets without waiting.
export class Clock {
  private offsetSeconds = 0;

  now(): number {
    return Math.floor(Date.now() / 1000) + this.offsetSeconds;
  }

  get offset(): number {
    return this.offsetSeconds;
  }

  setOffset(seconds: number): void {
    this.offsetSeconds = seconds;
  }
}
