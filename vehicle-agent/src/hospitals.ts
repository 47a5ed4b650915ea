import { readFile } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import { HospitalSummarySchema, type HospitalSummary } from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';

const parseHospitals = compileParser(Type.Array(HospitalSummarySchema));

/** Reads a JSON file of `[{id, name, location: {lat, lng}}]`. Expected failures are a typed result. */
export async function loadHospitals(path: string): Promise<{ ok: true; value: HospitalSummary[] } | { ok: false; error: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, error: `cannot read hospitals file ${path}: ${(err as Error).message}` };
  }
  const parsed = parseHospitals.parseJson(text);
  return parsed.ok ? parsed : { ok: false, error: `hospitals file ${path}: ${parsed.error}` };
}
