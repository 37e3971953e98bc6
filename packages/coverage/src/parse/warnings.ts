/**
 * Collects warnings for one report without letting a pathological file (a million bad records) flood the log or
 * memory: the first few of each kind are kept verbatim, the rest are counted and summarized once.
 */
export class WarningSink {
  private readonly perKind = new Map<string, { shown: number; more: number; firstLine?: number }>();
  readonly messages: string[] = [];

  constructor(
    private readonly file: string,
    private readonly limitPerKind = 5,
  ) {}

  /** Records one warning of a kind; `line` is the report line when known. */
  add(kind: string, message: string, line?: number): void {
    let entry = this.perKind.get(kind);
    if (!entry) {
      entry = { shown: 0, more: 0 };
      this.perKind.set(kind, entry);
    }
    if (entry.shown < this.limitPerKind) {
      entry.shown++;
      this.messages.push(`${line === undefined ? this.file : `${this.file}:${line}`}: ${message}`);
    } else {
      entry.more++;
    }
  }

  /** The collected warnings, with one summary line per kind that overflowed. */
  finish(): string[] {
    const out = this.messages.slice();
    for (const [kind, entry] of this.perKind) {
      if (entry.more > 0) out.push(`${this.file}: ${entry.more} more warning(s) of kind "${kind}" not shown`);
    }
    return out;
  }
}
