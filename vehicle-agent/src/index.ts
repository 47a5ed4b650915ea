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
export type { RoadNetwork } from './core/roads.ts';
export { runFleetCli, type FleetCliOptions, type RoadGraphReader } from './fleetCli.ts';
export type { JobStatus } from './core/job.ts';
export {
  startVehicleAgent,
  fixToPosition,
  DEFAULT_FORWARDING,
  type VehicleAgent,
  type VehicleAgentOptions,
  type AgentSnapshot,
  type AgentStats,
  type AgentEvents,
  type MqttConnection,
  type ForwardingOptions,
} from './mqtt/vehicle-agent.ts';
export { startCrewPanel, type CrewPanel, type CrewPanelOptions } from './panel/server.ts';
export { DEFAULT_REPORTING_POLICY, decideReport, type ReportingPolicy } from './core/policy.ts';
export { DEFAULT_SPOOL_LIMITS, type SpoolLimits } from './core/spool.ts';
export { CREW_STATUSES, type CrewStatus, type CrewCommand, type CrewMemo } from './core/crew.ts';
export { simulatedSource, type SimulatedSourceOptions } from './gps/simulatedSource.ts';
export * from './gps/index.ts';
