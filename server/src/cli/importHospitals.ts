/**
 * Imports destination hospitals from an OpenStreetMap export (GeoJSON, e.g. from `osmium export`,
 * or Overpass API JSON):
 *   npm run import-hospitals -- FILE [--dry-run]
 * Re-importing updates names and positions by OSM id and keeps the ED status staff have set.
 * What is skipped and why is printed (see core/hospitalsImport.ts). Uses DATABASE_URL, or the
 * embedded database under DATA_DIR (the server must not be running on that data dir at the same
 * time; a running server reads hospitals at start).
 */
import { readFile } from 'node:fs/promises';
import { HospitalImportError, parseOsmHospitals, type HospitalImport } from '../core/hospitalsImport.ts';
import { upsertHospitals } from '../adapters/store/vehicles.ts';
import { toolArgs } from './args.ts';
import { runWithDatabase } from './common.ts';

const USAGE = `usage: npm run import-hospitals -- FILE.geojson|FILE.json [--dry-run]
Imports hospitals from an OpenStreetMap export (osmium GeoJSON or Overpass JSON) into the database
(DATABASE_URL, or the embedded one under DATA_DIR: stop the server first). --dry-run only prints
what would be imported. Example: npm run import-hospitals -- fixtures/hospitals/hanoi_osm_amenity_hospital_overpass_2024-09-27.json --dry-run`;

const { values, positionals } = toolArgs({ 'dry-run': { type: 'boolean' } }, USAGE);
const file = positionals[0];
if (!file || positionals.length !== 1) {
  console.error(USAGE);
  process.exit(2);
}

let parsed: HospitalImport;
try {
  parsed = parseOsmHospitals(JSON.parse(await readFile(file, 'utf8')));
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  console.error(e.code === 'ENOENT' ? `${file}: no such file` : e instanceof SyntaxError ? `${file}: not JSON (${e.message})` : e instanceof HospitalImportError ? `${file}: ${e.message}` : e);
  process.exit(1);
}

const skipped = Object.entries(parsed.skipped).filter(([, n]) => n > 0).map(([why, n]) => `${n} ${why.replace('_', ' ')}`);
console.log(`${file} (${parsed.format}): ${parsed.hospitals.length} hospitals${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}`);
for (const h of parsed.hospitals) console.log(`  ${h.id.padEnd(16)} ${h.location.lat.toFixed(5)}, ${h.location.lng.toFixed(5)}  ${h.name}${h.emergencyTagged ? '  (emergency=yes)' : ''}`);
console.log('Data © OpenStreetMap contributors (ODbL).');

if (values['dry-run']) process.exit(0);
runWithDatabase(async (db) => {
  const r = await upsertHospitals(db, parsed.hospitals.map((h) => ({ ...h, capabilities: ['emergency'] })));
  console.log(`hospitals: ${r.inserted} added, ${r.updated} updated`);
  return 0;
});
