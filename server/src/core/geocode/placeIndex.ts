import type { LatLng } from '@lifeline/protocol';
import { haversineDegM } from '../routing/spherical.ts';
import { foldText, foldWords, STREET_KIND_WORDS } from './normalize.ts';

/**
 * Search over named places (streets of the road graph, hospitals) by what a dispatcher types:
 * accent- and case-insensitive (see `foldText`), each typed word a prefix of some word of the
 * name, in any order. A sorted word list with the places of each word finds the candidates for
 * the most selective typed word by binary search; only those are checked against every word.
 */

export type PlaceKind = 'street' | 'hospital';

export interface Place {
  name: string;
  kind: PlaceKind;
  /** A point on the place (for a street: on the road, see streetIndex.ts). */
  location: LatLng;
  /** [west, south, east, north], degrees (streets). */
  bbox?: [number, number, number, number];
  /** OSM `highway` class of the street's most important piece (streets). */
  roadClass?: string;
  /**
   * Importance, 0 (motorway, trunk) … 5 (service, other): ranks equally good matches.
   * Hospitals are 1, like a primary road.
   */
  importance: number;
}

/** How well a name matched: lower is better. */
export const MATCH = {
  /** The typed words are the name (or the name without its leading "Đường"/"Phố" …). */
  exact: 0,
  /** Every typed word is a whole word of the name. */
  wholeWords: 1,
  /** Some typed word is only the start of a word, or a "đường"/"phố" the name does not have. */
  prefix: 2,
} as const;

export interface PlaceHit {
  place: Place;
  match: number;
  /** Metres from the `near` point, when one was given. */
  distanceM: number | null;
  /** Sort key: lower first (see {@link rankKey}). */
  rank: number;
}

export interface SearchOptions {
  /** Bias towards this point (the map centre). */
  near?: LatLng;
  /** Most results (default 10). */
  limit?: number;
}

/** Folded typed words: the query as {@link PlaceIndex.search} takes it. */
export interface FoldedQuery {
  words: string[];
  /** The words joined by one space. */
  text: string;
}

export function foldQuery(q: string): FoldedQuery {
  const words = foldWords(q);
  return { words, text: words.join(' ') };
}

/**
 * The sort key of a hit: match quality dominates, then importance plus a distance penalty
 * (each 4 km from `near` weighs like one step of road class, at most 5 steps at 20 km), so the
 * same street name in two towns lists the nearer first, and a lane around the corner can beat a
 * main road across the province.
 */
export function rankKey(match: number, importance: number, distanceM: number | null): number {
  const distance = distanceM === null ? 0 : Math.min(distanceM, 20_000) / 4000;
  return match * 100 + importance + distance;
}

/** Orders hits: rank key, then shorter names, then by name. */
export function compareHits(a: PlaceHit, b: PlaceHit): number {
  return a.rank - b.rank || a.place.name.length - b.place.name.length || (a.place.name < b.place.name ? -1 : a.place.name > b.place.name ? 1 : 0);
}

export class PlaceIndex {
  private readonly places: Place[];
  /** Folded words of each place. */
  private readonly placeWords: string[][];
  /** Folded name of each place, and without a leading street-kind word. */
  private readonly folded: string[];
  private readonly foldedBare: string[];
  /** Every distinct folded word, sorted, and the places holding it. */
  private readonly words: string[];
  private readonly postings: Uint32Array[];
  /** Dedupe stamp per place for one search. */
  private readonly seen: Uint32Array;
  private stamp = 0;

  constructor(places: Place[]) {
    this.places = places;
    this.placeWords = places.map((p) => [...new Set(foldWords(p.name))]);
    this.folded = places.map((p) => foldText(p.name));
    this.foldedBare = this.placeWords.map((w, i) => (w.length > 1 && STREET_KIND_WORDS.has(w[0]!) ? this.folded[i]!.slice(w[0]!.length + 1) : this.folded[i]!));
    const byWord = new Map<string, number[]>();
    this.placeWords.forEach((ws, i) => {
      for (const w of ws) {
        const list = byWord.get(w);
        if (list) list.push(i);
        else byWord.set(w, [i]);
      }
    });
    this.words = [...byWord.keys()].sort();
    this.postings = this.words.map((w) => Uint32Array.from(byWord.get(w)!));
    this.seen = new Uint32Array(places.length);
  }

  get size(): number {
    return this.places.length;
  }

  /** Every place (in build order). */
  all(): readonly Place[] {
    return this.places;
  }

  /** The places matching `q`, best first (at most `limit`). */
  search(q: FoldedQuery, opts: SearchOptions = {}): PlaceHit[] {
    const limit = opts.limit ?? 10;
    if (q.words.length === 0 || this.places.length === 0 || limit <= 0) return [];
    // Candidates: the places holding a word that starts with the longest typed word that is not
    // a street kind (the most selective); with only kind words, any of them.
    const specific = q.words.filter((w) => !STREET_KIND_WORDS.has(w));
    const probes = specific.length > 0 ? [specific.reduce((a, b) => (b.length > a.length ? b : a))] : q.words;
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const hits: PlaceHit[] = [];
    for (const probe of probes) {
      for (let i = lowerBound(this.words, probe); i < this.words.length && this.words[i]!.startsWith(probe); i++) {
        for (const p of this.postings[i]!) {
          if (this.seen[p] === this.stamp) continue;
          this.seen[p] = this.stamp;
          const match = this.matchPlace(p, q);
          if (match < 0) continue;
          const place = this.places[p]!;
          const distanceM = opts.near ? haversineDegM(opts.near.lat, opts.near.lng, place.location.lat, place.location.lng) : null;
          hits.push({ place, match, distanceM, rank: rankKey(match, place.importance, distanceM) });
        }
      }
    }
    return topHits(hits, limit);
  }

  /** How place `p` matches the typed words (see {@link MATCH}), or -1. */
  private matchPlace(p: number, q: FoldedQuery): number {
    const words = this.placeWords[p]!;
    let whole = true;
    let used = 0;
    let skipped: string[] | null = null;
    for (const t of q.words) {
      let found = 0; // 0 none, 1 prefix, 2 whole word
      for (const w of words) {
        if (w === t) {
          found = 2;
          break;
        }
        if (found === 0 && w.startsWith(t)) found = 1;
      }
      if (found === 0) {
        if (!STREET_KIND_WORDS.has(t)) return -1;
        (skipped ??= []).push(t); // a "đường" the name does not have
        continue;
      }
      used++;
      if (found === 1) whole = false;
    }
    if (used === 0) return -1;
    const text = skipped ? q.words.filter((w) => !skipped.includes(w)).join(' ') : q.text;
    if (text === this.folded[p] || text === this.foldedBare[p]) return MATCH.exact;
    return whole && !skipped ? MATCH.wholeWords : MATCH.prefix;
  }
}

/** Best `limit` hits of several indexes (or one), merged by rank. */
export function topHits(hits: PlaceHit[], limit: number): PlaceHit[] {
  hits.sort(compareHits);
  return hits.length > limit ? hits.slice(0, limit) : hits;
}

function lowerBound(xs: readonly string[], x: string): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
