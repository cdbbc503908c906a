// Streaming RFC 4180 CSV reader over csv-parse: quoted fields may hold commas, doubled quotes and line breaks;
// records end at CRLF, LF or a lone CR (the OFAC spec says carriage return). Memory is bounded by the longest record.
import fs from 'node:fs';
import { parse, type Parser } from 'csv-parse';

export interface CsvRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  fields: string[];
}

export type CsvItem = CsvRecord | { line: number; error: string };

// A record longer than this is an unterminated quote eating the file, not data (OFAC remarks are ≤1000 chars).
const MAX_RECORD_BYTES = 64 * 1024;

const LINE_BREAK = /\r\n|\r|\n/g;

function lineBreaks(fields: string[]): number {
  let n = 0;
  for (const f of fields) if (f.includes('\n') || f.includes('\r')) n += f.match(LINE_BREAK)!.length;
  return n;
}

/** Feeds one chunk (or the end, when chunk is undefined) and waits until the parser has taken it. */
function feed(parser: Parser, chunk: Buffer | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    parser.once('error', reject);
    const done = () => {
      parser.off('error', reject);
      resolve();
    };
    if (chunk) parser.write(chunk, (err) => (err ? reject(err) : done()));
    else parser.end(done);
  });
}

/**
 * Records in file order, each with the line it starts on. A parse error (a quote still open at the end of the file,
 * a record over MAX_RECORD_BYTES) ends the file with one error item: past it, quoting is out of step and the
 * records would be garbage.
 */
export async function* readCsv(path: string): AsyncGenerator<CsvItem> {
  const ready: CsvItem[] = [];
  let line = 1;
  // Records are taken as csv-parse finishes them (on_record, synchronous) rather than read from the stream, so an
  // error never discards records parsed before it.
  const parser = parse({
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true, // the loaders check column counts and report the line
    relax_quotes: true, // a stray quote inside a field is kept as text
    max_record_size: MAX_RECORD_BYTES,
    on_record: (record: string[]) => {
      // Line breaks inside a quoted field come back verbatim: count them, then read them as \n.
      ready.push({ line, fields: record.map((f) => (f.includes('\r') ? f.replace(/\r\n?/g, '\n') : f)) });
      line += lineBreaks(record) + 1;
      return null; // nothing goes to the readable side
    },
  });
  try {
    for await (const chunk of fs.createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
      await feed(parser, chunk);
      yield* ready.splice(0);
    }
    await feed(parser, undefined);
    yield* ready.splice(0);
  } catch (err) {
    yield* ready.splice(0);
    const code = (err as { code?: string }).code;
    if (code === 'CSV_QUOTE_NOT_CLOSED') yield { line, error: 'unterminated quoted field at end of file' };
    else if (code === 'CSV_MAX_RECORD_SIZE') yield { line, error: 'record too long (unterminated quote?)' };
    else if (typeof code === 'string' && code.startsWith('CSV_')) yield { line, error: (err as Error).message };
    else throw err;
  } finally {
    parser.destroy();
  }
}
