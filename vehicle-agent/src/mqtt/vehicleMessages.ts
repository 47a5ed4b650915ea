/** What both MQTT clients (simulated-vehicle.ts, vehicle-agent.ts) share: id check, inbound parsers, payload rounding. */
import { AssignmentMsgSchema, CancelMsgSchema, StoredMsgSchema, VehicleIdSchema } from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import { TypeCompiler } from '@sinclair/typebox/compiler';

export const parseAssignment = compileParser(AssignmentMsgSchema);
export const parseStored = compileParser(StoredMsgSchema);
export const parseCancel = compileParser(CancelMsgSchema);

const isVehicleId = TypeCompiler.Compile(VehicleIdSchema);

/** Throws a RangeError (a caller's bug) unless `id` can be a topic level. */
export function assertVehicleId(id: string): void {
  if (!isVehicleId.Check(id)) throw new RangeError(`vehicle id must match ^[A-Za-z0-9_-]{1,64}$, got ${JSON.stringify(id)}`);
}

/** `x` rounded to `digits` decimals (payload coordinates, speeds, headings). */
export const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
