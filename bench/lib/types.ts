export interface BenchRow {
  name: string;
  value: string;
  baseline?: string;
  ratio?: string;
  note?: string;
  /** A goal from an issue, judged in this run on the measured numbers (never in a pass/fail test). */
  target?: { goal: string; measured: string; met: boolean };
}
