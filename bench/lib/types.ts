export interface BenchRow {
  name: string;
  value: string;
  baseline?: string;
  ratio?: string;
  note?: string;
}
