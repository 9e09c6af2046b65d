export { generateDemo } from './demo-generator';
export type { DemoManifest, DemoOptions, DemoResult } from './demo-generator';
export type { ManifestEntry, PlannedException, PlantedMisuse } from './demo-scenario';
export { APPROVED_DEVICE } from './demo-scenario';
export { DEMO_CITY, demoHistoryReview, demoReview } from './demo-city';
export type { DemoReviewStep } from './demo-city';
export { writeResentDelivery } from './demo-delivery';
export type { ResentDelivery } from './demo-delivery';
