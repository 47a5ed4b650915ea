import type { Hospital } from '@lifeline/protocol';
import type { RoadGraph } from '../routing/graph.ts';
import { foldQuery, PlaceIndex, topHits, type Place, type PlaceHit, type SearchOptions } from './placeIndex.ts';
import { buildStreetIndex } from './streetIndex.ts';

/** Hospitals as places: importance 1 (ranked like a primary road among equal matches). */
export const hospitalPlaces = (hospitals: readonly Hospital[]): Place[] =>
  hospitals.map((h) => ({ name: h.name, kind: 'hospital', location: { lat: h.location.lat, lng: h.location.lng }, importance: 1 }));

/**
 * Place search for call intake: the streets of the road graph (null: none) and the hospitals,
 * whose list may change at run time (an import, ED status updates replace the array): their
 * index is rebuilt when the array is another one.
 */
export class Geocoder {
  readonly streets: PlaceIndex | null;
  private hospitalsOf: readonly Hospital[] | null = null;
  private hospitalIndex = new PlaceIndex([]);

  constructor(graph: RoadGraph | null, private readonly hospitals: () => readonly Hospital[]) {
    this.streets = graph ? buildStreetIndex(graph) : null;
  }

  search(q: string, opts: SearchOptions = {}): PlaceHit[] {
    const folded = foldQuery(q);
    const limit = opts.limit ?? 10;
    const list = this.hospitals();
    if (list !== this.hospitalsOf) {
      this.hospitalsOf = list;
      this.hospitalIndex = new PlaceIndex(hospitalPlaces(list));
    }
    const hits = [...this.hospitalIndex.search(folded, opts), ...(this.streets?.search(folded, opts) ?? [])];
    return topHits(hits, limit);
  }
}
