// Streaming RFC 4180 CSV reader: quoted fields may hold commas, doubled quotes and line breaks; records end at
// CRLF, LF or a lone CR (the OFAC spec says carriage return). Memory is bounded by the longest record.
import fs from 'node:fs';

export interface CsvRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  fields: string[];
}

export type CsvItem = CsvRecord | { line: number; error: string };

// A record longer than this is an unterminated quote eating the file, not data (OFAC remarks are ≤1000 chars).
const MAX_RECORD_CHARS = 64 * 1024;

export async function* readCsv(path: string): AsyncGenerator<CsvItem> {
  const stream = fs.createReadStream(path, { encoding: 'utf8', highWaterMark: 64 * 1024 });
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let quoteSeen = false; // just read a quote inside a quoted field: either "" or the closing quote
  let lastWasCR = false;
  let line = 1;
  let recordLine = 1;
  let recordChars = 0;
  let skipping = false;

  for await (const chunk of stream as AsyncIterable<string>) {
    const out: CsvItem[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i]!;
      if (ch === '\n' && lastWasCR) {
        lastWasCR = false;
        continue; // second half of CRLF; the record already ended at CR
      }
      lastWasCR = ch === '\r';
      const newline = ch === '\n' || ch === '\r';
      if (skipping) {
        if (newline) {
          line++;
          skipping = false;
          recordLine = line;
        }
        continue;
      }
      if (inQuotes) {
        if (quoteSeen) {
          quoteSeen = false;
          if (ch === '"') {
            field += '"';
            continue;
          }
          inQuotes = false; // the quote closed the field; fall through to handle ch unquoted
        } else if (ch === '"') {
          quoteSeen = true;
          continue;
        } else {
          if (newline) line++;
          field += ch === '\r' ? '\n' : ch;
          if (++recordChars > MAX_RECORD_CHARS) {
            out.push({ line: recordLine, error: 'record too long (unterminated quote?)' });
            fields = [];
            field = '';
            inQuotes = false;
            recordChars = 0;
            skipping = true;
          }
          continue;
        }
      }
      if (ch === ',') {
        fields.push(field);
        field = '';
      } else if (newline) {
        fields.push(field);
        out.push({ line: recordLine, fields });
        fields = [];
        field = '';
        recordChars = 0;
        line++;
        recordLine = line;
      } else if (ch === '"' && field.trim() === '') {
        inQuotes = true;
        field = '';
      } else {
        field += ch;
        if (++recordChars > MAX_RECORD_CHARS) {
          out.push({ line: recordLine, error: 'record too long' });
          fields = [];
          field = '';
          recordChars = 0;
          skipping = true;
        }
      }
    }
    yield* out;
  }
  if (inQuotes && !quoteSeen) {
    yield { line: recordLine, error: 'unterminated quoted field at end of file' };
  } else if (field !== '' || fields.length) {
    fields.push(field);
    yield { line: recordLine, fields };
  }
}
