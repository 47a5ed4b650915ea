/**
 * Web Mercator tile arithmetic shared by the basemap tilers (XYZ scheme, y down from the north).
 */

/** Highest zoom a tile request may name. */
export const MAX_TILE_ZOOM = 22;

/** Vector tile extent (units across a tile) and the buffer kept around it, in the same units. */
export const TILE_EXTENT = 4096;
export const TILE_BUFFER = 64;

export interface TileId {
  z: number;
  x: number;
  y: number;
}

/** Whether z/x/y names a tile that exists. */
export const isValidTile = ({ z, x, y }: TileId): boolean =>
  Number.isInteger(z) && Number.isInteger(x) && Number.isInteger(y) && z >= 0 && z <= MAX_TILE_ZOOM && x >= 0 && y >= 0 && x < 2 ** z && y < 2 ** z;

const tileLng = (x: number, z: number) => (x / 2 ** z) * 360 - 180;
const tileLat = (y: number, z: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / 2 ** z))) * 180) / Math.PI;

/**
 * [west, south, east, north] of a tile in degrees, grown by `buffer` tile units on every side
 * (so lines that leave the tile and come back, and wide strokes at the edge, are kept).
 */
export function tileBounds({ z, x, y }: TileId, buffer = TILE_BUFFER): [number, number, number, number] {
  const b = buffer / TILE_EXTENT;
  return [tileLng(x - b, z), tileLat(y + 1 + b, z), tileLng(x + 1 + b, z), tileLat(y - b, z)];
}
