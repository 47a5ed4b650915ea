/**
 * What to search for in a typed address: the street part. A caller's "số 12A đường Yersin, Phú
 * Cường" is searched as "đường Yersin": only the text before the first comma (the rest is the
 * ward, district, town), without a leading house number ("12", "12A", "12/3", "123-125", after an
 * optional "số"/"no."). A lane that carries a number ("Ngõ 12 Láng Hạ") is kept whole.
 */
export function streetQuery(address: string): string {
  const first = address.split(/[,;]/)[0] ?? '';
  return first
    .replace(/^\s*(?:(?:số|so|no\.?|n°|#)\s*)?\d+[\p{L}]?(?:\s*[/-]\s*\d+[\p{L}]?)*\s+/iu, '')
    .trim();
}

/** Least characters of a street query before suggestions are asked for. */
export const MIN_QUERY_CHARS = 2;
