// The tracker as a library (for in-process experiments and tests).
export { DEFAULT_TRACKER_PORT, trackerCli } from './cli.js';
export { Prober, type ProberOptions } from './probe.js';
export {
  NodeRegistry,
  type ProbeOutcome,
  type RegisterResult,
  type RegistryErrorCode,
  type RegistryOptions,
} from './registry.js';
export { registerTrackerRoutes } from './routes.js';
