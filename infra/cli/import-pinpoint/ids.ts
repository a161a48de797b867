import { STEP_ID } from '../../../shared/journey/schema.ts';

/** Longest base kept from a Pinpoint id, leaving room for a `-wait` or `-2` suffix within 64 characters. */
const MAX_BASE = 56;

/**
 * Hands out valid, unique step ids. Pinpoint activity ids are arbitrary strings:
 * each is written in Latin letters (accents dropped, Greek and Cyrillic
 * transliterated), reduced to letters, digits, `-` and `_`, prefixed when it
 * does not start with a letter, and numbered when two would collide. An id
 * with nothing left to read (Japanese, Chinese, emoji) is named after what the
 * activity does (`email`, `wait`), which `fallback` gives. Allocation order is
 * the caller's, so the same input always yields the same ids.
 */
export class StepIds {
  private readonly used = new Set<string>();

  allocate(wanted: string, fallback?: string): string {
    const base = toStepIdBase(wanted, fallback);
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}-${n}`;
    this.used.add(id);
    return id;
  }
}

function toStepIdBase(text: string, fallback: string | undefined): string {
  const cleaned = toLatin(text)
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_BASE);
  // Letters of a script with no transliteration here: the activity's kind reads better than "a".
  if (fallback !== undefined && !/[A-Za-z]/.test(cleaned) && /[^\x20-\x7e]/.test(text))
    return toStepIdBase(cleaned === '' ? fallback : `${fallback}-${cleaned}`, undefined);
  const base = /^[A-Za-z]/.test(cleaned) ? cleaned : `a-${cleaned}`.replace(/-+$/, '');
  return STEP_ID.test(base) ? base : 'step';
}

/** Letters without a decomposition to a Latin base letter, lowercase: Latin ligatures and strokes, Greek, Cyrillic. */
const LATIN: ReadonlyMap<string, string> = new Map(
  Object.entries({
    ß: 'ss',
    æ: 'ae',
    œ: 'oe',
    ø: 'o',
    đ: 'd',
    ð: 'd',
    ł: 'l',
    þ: 'th',
    ı: 'i',
    ŋ: 'ng',
    α: 'a',
    β: 'v',
    γ: 'g',
    δ: 'd',
    ε: 'e',
    ζ: 'z',
    η: 'i',
    θ: 'th',
    ι: 'i',
    κ: 'k',
    λ: 'l',
    μ: 'm',
    ν: 'n',
    ξ: 'x',
    ο: 'o',
    π: 'p',
    ρ: 'r',
    σ: 's',
    ς: 's',
    τ: 't',
    υ: 'y',
    φ: 'f',
    χ: 'ch',
    ψ: 'ps',
    ω: 'o',
    а: 'a',
    б: 'b',
    в: 'v',
    г: 'g',
    д: 'd',
    е: 'e',
    ё: 'e',
    ж: 'zh',
    з: 'z',
    и: 'i',
    й: 'y',
    к: 'k',
    л: 'l',
    м: 'm',
    н: 'n',
    о: 'o',
    п: 'p',
    р: 'r',
    с: 's',
    т: 't',
    у: 'u',
    ф: 'f',
    х: 'kh',
    ц: 'ts',
    ч: 'ch',
    ш: 'sh',
    щ: 'shch',
    ъ: '',
    ы: 'y',
    ь: '',
    э: 'e',
    ю: 'yu',
    я: 'ya',
    і: 'i',
    ї: 'yi',
    є: 'ye',
    ґ: 'g',
  }),
);

/** `Begrüßung` → `Begrussung`; `Привет` → `Privet`; `Καλημέρα` → `Kalimera`; other scripts unchanged. */
function toLatin(text: string): string {
  let out = '';
  for (const char of text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')) {
    const lower = char.toLowerCase();
    const latin = LATIN.get(lower);
    if (latin === undefined) out += char;
    else out += char === lower ? latin : latin.charAt(0).toUpperCase() + latin.slice(1);
  }
  return out;
}

/** The id of a journey whose name leaves no letters or digits in one. */
export const UNNAMED_JOURNEY = 'imported-journey';

/** A journey id from a journey name: lowercase words joined by dashes. */
export function slugify(name: string): string {
  // Transliterated as step ids are: `Begrüßung` → begrussung, `Добро пожаловать` → dobro-pozhalovat.
  const slug = toLatin(name)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return slug === '' ? UNNAMED_JOURNEY : slug;
}
