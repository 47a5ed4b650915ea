import { Type } from '@sinclair/typebox';
import { HospitalSummarySchema, type HospitalSummary } from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import { readJsonFile } from './jsonFile.ts';

const parseHospitals = compileParser(Type.Array(HospitalSummarySchema));
const parsePasswords = compileParser(Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), Type.String({ minLength: 1, maxLength: 256 })));

/** Reads a JSON file of `[{id, name, location: {lat, lng}}]`. Expected failures are a typed result. */
export const loadHospitals = (path: string): Promise<{ ok: true; value: HospitalSummary[] } | { ok: false; error: string }> => readJsonFile(path, parseHospitals, 'hospitals');

/** Reads a JSON file of per-unit MQTT passwords, `{"<unit id>": "<password>"}` (--credentials). */
export const loadPasswords = (path: string): Promise<{ ok: true; value: Record<string, string> } | { ok: false; error: string }> => readJsonFile(path, parsePasswords, 'credentials');
