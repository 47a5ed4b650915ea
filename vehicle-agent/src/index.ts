export { startSimulatedFleet, fleetIds, fleetStarts, type FleetOptions, type SimulatedFleet } from './fleet.ts';
export {
  startSimulatedVehicle,
  type SimulatedVehicle,
  type VehicleEvents,
  type VehicleOptions,
  type VehicleStats,
} from './mqtt/simulated-vehicle.ts';
export { DEFAULT_MQTT_URL, type Log, type LogLevel, type SimulationOptions } from './options.ts';
export { loadHospitals } from './hospitals.ts';
export type { IdleMode, SimState } from './core/sim.ts';
export type { JobStatus } from './core/job.ts';
