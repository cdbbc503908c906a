// Country → ISO 3166-1 alpha-2. Lists and documents name countries every way there is: FtM uses lowercase
// alpha-2 ("ir"), the MRZ alpha-3 with ICAO extras ("IRN", "D", "GBD"), OFAC remarks English names
// ("Iran", "Korea, North", "Burma").
import { normalizeName } from '../text/names.js';
import { ISO_COUNTRIES } from './country-data.js';

const alpha2 = new Set<string>(['XK']); // Kosovo: user-assigned code used by OpenSanctions, EU and ICAO (RKS).
const byAlpha3 = new Map<string, string>();
const byName = new Map<string, string>();

for (const line of ISO_COUNTRIES.split('\n')) {
  const m = /^([A-Z]{2}) ([A-Z]{3}) (.+)$/.exec(line.trim());
  if (!m) continue;
  alpha2.add(m[1]!);
  byAlpha3.set(m[2]!, m[1]!);
  byName.set(normalizeName(m[3]!), m[1]!);
}

// ICAO 9303 Part 3 codes that are not ISO alpha-3, mapped to the state that issues them. Stateless/refugee and
// UN codes (XXA, XXB, XXC, XXX, UNO, UNA, UNK) have no country and stay unknown.
const MRZ_CODES: Record<string, string> = {
  D: 'DE', GBD: 'GB', GBN: 'GB', GBO: 'GB', GBP: 'GB', GBS: 'GB', RKS: 'XK', XKX: 'XK',
};

const NAME_ALIASES: Record<string, string> = {
  'Iran, Islamic Republic of': 'IR', 'Korea, North': 'KP', "Democratic People's Republic of Korea": 'KP',
  'Korea, South': 'KR', 'Republic of Korea': 'KR', Korea: 'KR', Burma: 'MM', 'Russian Federation': 'RU',
  'Syrian Arab Republic': 'SY', 'Czech Republic': 'CZ', 'United States of America': 'US', USA: 'US',
  'U.S.A.': 'US', UK: 'GB', 'Great Britain': 'GB', Britain: 'GB', 'Viet Nam': 'VN',
  "Lao People's Democratic Republic": 'LA', 'Moldova, Republic of': 'MD', 'Tanzania, United Republic of': 'TZ',
  'Venezuela, Bolivarian Republic of': 'VE', 'Bolivia, Plurinational State of': 'BO', 'Ivory Coast': 'CI',
  'Democratic Republic of the Congo': 'CD', 'Congo, Republic of the': 'CG', 'Republic of the Congo': 'CG',
  'Macedonia': 'MK', 'Swaziland': 'SZ', 'Cape Verde': 'CV', 'Turkiye': 'TR', 'Brunei': 'BN', 'Kosovo': 'XK',
  'Palestinian Territories': 'PS', 'West Bank': 'PS', Gaza: 'PS', 'Vatican City': 'VA', 'East Timor': 'TL',
  'Micronesia, Federated States of': 'FM', Taiwan: 'TW', 'Hong Kong SAR': 'HK', Macau: 'MO',
};
for (const [name, code] of Object.entries(NAME_ALIASES)) byName.set(normalizeName(name), code);

/** ISO alpha-2 (uppercase) for a code or English country name, or undefined when unknown. */
export function toAlpha2(input: string | null | undefined): string | undefined {
  if (!input) return undefined;
  const s = input.trim();
  if (!s) return undefined;
  const up = s.toUpperCase();
  if (/^[A-Z]{2}$/.test(up)) return alpha2.has(up) ? up : undefined;
  if (/^[A-Z]{3}$/.test(up)) {
    const a2 = byAlpha3.get(up) ?? MRZ_CODES[up];
    if (a2) return a2;
  }
  if (up === 'D') return 'DE';
  return byName.get(normalizeName(s));
}

/** Deduplicated alpha-2 codes for several inputs; unknown values are dropped. */
export function toAlpha2List(inputs: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const i of inputs) {
    const c = toAlpha2(i);
    if (c) out.add(c);
  }
  return [...out];
}
