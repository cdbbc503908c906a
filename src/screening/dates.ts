// Birth dates as lists state them: ISO full or partial dates (FtM) and OFAC prose ("01 Jan 1960", "circa 1958",
// "1960 to 1962"). Stored as 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY' so precision is never invented.

const MONTHS: Record<string, string> = {
  JAN: '01', FEB: '02', MAR: '03', APR: '04', MAY: '05', JUN: '06',
  JUL: '07', AUG: '08', SEP: '09', OCT: '10', NOV: '11', DEC: '12',
};

const MAX_RANGE_YEARS = 10;

function validYear(y: number): boolean {
  return y >= 1850 && y <= 2100;
}

/** An ISO date or partial date, or undefined when it is not one (FtM also has values like "1960-01-01T00:00"). */
export function normalizeIsoDate(s: string): string | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(s.trim());
  if (!m || !validYear(Number(m[1]))) return undefined;
  const [, y, mo, d] = m;
  if (!mo) return y;
  if (Number(mo) < 1 || Number(mo) > 12) return y;
  if (!d) return `${y}-${mo}`;
  const day = Number(d);
  const last = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  return day >= 1 && day <= last ? `${y}-${mo}-${d}` : `${y}-${mo}`;
}

/** One OFAC date expression: "01 Jan 1960", "Jan 1960", "1960", "circa 1960". */
function parseOfacDate(s: string): string | undefined {
  const t = s.replace(/^circa\s+/i, '').trim();
  let m = /^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$/.exec(t);
  if (m) {
    const mo = MONTHS[m[2]!.toUpperCase()];
    return mo ? normalizeIsoDate(`${m[3]}-${mo}-${m[1]!.padStart(2, '0')}`) : undefined;
  }
  m = /^([A-Za-z]{3})[a-z]* (\d{4})$/.exec(t);
  if (m) {
    const mo = MONTHS[m[1]!.toUpperCase()];
    return mo ? normalizeIsoDate(`${m[2]}-${mo}`) : undefined;
  }
  m = /^(\d{4})$/.exec(t);
  return m ? normalizeIsoDate(m[1]!) : undefined;
}

/**
 * An OFAC "DOB …" value. A range ("1960 to 1962", "01 Jan 1960 to 31 Dec 1962") becomes its years, so a birth
 * year anywhere in it counts as a year match; ranges wider than 10 years say too little and are dropped.
 */
export function parseOfacDob(s: string): string[] {
  const parts = s.split(/\s+to\s+/i);
  if (parts.length === 2) {
    const a = parseOfacDate(parts[0]!);
    const b = parseOfacDate(parts[1]!);
    if (!a || !b) return [];
    const ya = Number(a.slice(0, 4));
    const yb = Number(b.slice(0, 4));
    if (yb < ya || yb - ya >= MAX_RANGE_YEARS) return [];
    const out: string[] = [];
    for (let y = ya; y <= yb; y++) out.push(String(y));
    return out;
  }
  const d = parseOfacDate(s);
  return d ? [d] : [];
}
