export { generateDemo } from './demo-generator';
export type { DemoManifest, DemoOptions, DemoResult } from './demo-generator';
export type { ManifestEntry, PlannedException, PlantedMisuse } from './demo-scenario';
export { APPROVED_DEVICE } from './demo-scenario';
