// Script → Latin tables used by names.ts. Applied AFTER NFKD + diacritic stripping, so only base letters appear
// here (Й→И, Ё→Е, Ї→І, Ά→Α are already decomposed). Cyrillic follows ICAO 9303 Part 3 (the passport MRZ table,
// which is close to BGN/PCGN); Greek follows ELOT 743 / ICAO.

const cyrillic: Record<string, string> = {
  А: 'A', Б: 'B', В: 'V', Г: 'G', Д: 'D', Е: 'E', Ж: 'ZH', З: 'Z', И: 'I', К: 'K', Л: 'L', М: 'M', Н: 'N',
  О: 'O', П: 'P', Р: 'R', С: 'S', Т: 'T', У: 'U', Ф: 'F', Х: 'KH', Ц: 'TS', Ч: 'CH', Ш: 'SH', Щ: 'SHCH',
  Ъ: 'IE', Ы: 'Y', Ь: '', Э: 'E', Ю: 'IU', Я: 'IA',
  // Ukrainian, Belarusian, Serbian, Macedonian letters without a Russian decomposition.
  Ґ: 'G', Є: 'IE', І: 'I', Ј: 'J', Љ: 'LJ', Њ: 'NJ', Ћ: 'C', Ђ: 'D', Џ: 'DZ', Ѕ: 'DZ', Ў: 'U',
};

const greek: Record<string, string> = {
  Α: 'A', Β: 'V', Γ: 'G', Δ: 'D', Ε: 'E', Ζ: 'Z', Η: 'I', Θ: 'TH', Ι: 'I', Κ: 'K', Λ: 'L', Μ: 'M', Ν: 'N',
  Ξ: 'X', Ο: 'O', Π: 'P', Ρ: 'R', Σ: 'S', Τ: 'T', Υ: 'Y', Φ: 'F', Χ: 'CH', Ψ: 'PS', Ω: 'O',
};

// Latin letters that NFKD does not decompose into base + mark. Ø→O like Ö→O (NFKD); MRZ forms (OE) are in names.ts.
const latinSpecials: Record<string, string> = {
  ß: 'SS', ẞ: 'SS', Æ: 'AE', Œ: 'OE', Ø: 'O', Ł: 'L', Đ: 'D', Ð: 'D', Þ: 'TH', Ħ: 'H', Ŧ: 'T', Ŋ: 'NG',
  Ĳ: 'IJ', ı: 'I', ſ: 'S', Ŀ: 'L', ʼ: '', Ə: 'A', Ɨ: 'I', Ƶ: 'Z',
};

const table = new Map<string, string>();
for (const t of [cyrillic, greek, latinSpecials]) {
  for (const [k, v] of Object.entries(t)) {
    table.set(k, v);
    table.set(k.toLowerCase(), v);
  }
}
table.set('ς', 'S'); // Greek final sigma has no uppercase form of its own.

/** Map one character (already NFKD-stripped) to Latin uppercase, or undefined when the table has no entry. */
export function transliterateChar(ch: string): string | undefined {
  return table.get(ch);
}

// Greek vowel/consonant pairs ELOT 743 writes as one Latin group (ΟΥ→OU not OY). Applied before per-letter mapping.
const greekDigraphs: [RegExp, string][] = [
  [/[Οο][Υυ]/g, 'OU'],
  [/[Αα][Υυ]/g, 'AV'],
  [/[Εε][Υυ]/g, 'EV'],
  [/[Γγ][Γγ]/g, 'NG'],
];

export function transliterateDigraphs(s: string): string {
  if (!/[\u0370-\u03ff]/.test(s)) return s;
  for (const [re, to] of greekDigraphs) s = s.replace(re, to);
  return s;
}
