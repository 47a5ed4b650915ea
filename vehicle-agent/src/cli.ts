/**
 * Simulated ambulance fleet (the default mode, fleetCli.ts), or `agent …`: one real ambulance
 * (agentCli.ts). Usage: see USAGE in args.ts / AGENT_USAGE in agentArgs.ts, or `--help`.
 */
const run =
  process.argv[2] === 'agent'
    ? import('./agentCli.ts').then((m) => m.runAgentCli(process.argv.slice(3)))
    : import('./fleetCli.ts').then((m) => m.runFleetCli(process.argv.slice(2)));
run.catch((err: unknown) => {
  console.error('vehicle-agent: unexpected error', err);
  process.exit(1);
});
