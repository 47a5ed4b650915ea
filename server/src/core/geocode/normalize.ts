/**
 * Text folding for place search, so a dispatcher typing without Vietnamese diacritics (or in any
 * case) finds the name: "duong yersin", "ĐƯỜNG YERSIN" and "Đường Yersin" all fold to
 * "duong yersin". NFD splits a letter from its combining marks (tone marks, circumflex, breve,
 * horn), the marks are dropped; "đ" is a letter of its own (no decomposition) and is mapped to
 * "d" by hand. Anything that is not a letter or a digit separates words.
 */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/đ/g, 'd')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The folded words of a text (see {@link foldText}); empty for a text with no letter or digit. */
export function foldWords(text: string): string[] {
  const f = foldText(text);
  return f === '' ? [] : f.split(' ');
}

/**
 * Words that name the kind of street rather than the street: a caller says "đường Yersin" when the
 * map has "Yersin", or "phố Láng Hạ" for "Đường Láng Hạ". A typed one that matches no word of a
 * name is ignored for that name (ranked below names that have it). Folded forms.
 */
export const STREET_KIND_WORDS: ReadonlySet<string> = new Set([
  'duong', 'pho', 'dg', 'd', 'p', 'street', 'st', 'road', 'rd', 'avenue', 'ave',
]);
