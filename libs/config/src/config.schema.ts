import { z } from 'zod';
import { alertsSection } from './sections/alerts.section';
import { analyzerSection } from './sections/analyzer.section';
import { authSection } from './sections/auth.section';
import { calendarSection } from './sections/calendar.section';
import { caseworkSection } from './sections/casework.section';
import { httpSection } from './sections/http.section';
import { ingestSection } from './sections/ingest.section';
import { kafkaSection } from './sections/kafka.section';
import { organisationSection } from './sections/organisation.section';
import { privacySection } from './sections/privacy.section';
import { reportSection } from './sections/report.section';
import { rulesSection } from './sections/rules.section';
import { sourcesSection } from './sections/sources.section';
import { storageSection } from './sections/storage.section';

/**
 * The whole configuration: config/kansa.yaml (defaults), an optional site file
 * (--config or KANSA_CONFIG), then environment overrides. Each section lives
 * in its own file under sections/.
 */
export const kansaConfigSchema = z
  .object({
    storage: storageSection.default(storageSection.parse({})),
    ingest: ingestSection.default(ingestSection.parse({})),
    organisation: organisationSection.default(organisationSection.parse({})),
    privacy: privacySection.default(privacySection.parse({})),
    calendar: calendarSection.default(calendarSection.parse({})),
    analyzer: analyzerSection.default(analyzerSection.parse({})),
    http: httpSection.default(httpSection.parse({})),
    auth: authSection.default(authSection.parse({})),
    alerts: alertsSection.default(alertsSection.parse({})),
    report: reportSection.default(reportSection.parse({})),
    rules: rulesSection.default(rulesSection.parse({})),
    kafka: kafkaSection.default(kafkaSection.parse({})),
    casework: caseworkSection.default(caseworkSection.parse({})),
    sources: sourcesSection.default({}),
  })
  .strict();

export type KansaConfig = z.infer<typeof kansaConfigSchema>;

export type { BusinessHours } from './sections/calendar.section';
export type { ApiRole, ApiToken, HttpSettings } from './sections/http.section';
export type { AuthSettings } from './sections/auth.section';
export { API_ROLES } from './sections/http.section';
export type { AlertsSettings } from './sections/alerts.section';
export type { ReportFormat, ReportSettings } from './sections/report.section';
export { parseReportFormats, REPORT_FORMATS } from './sections/report.section';
export { businessRecordSources, operationSourcesOf } from './sections/sources.section';
export type { KafkaConfig } from './sections/kafka.section';
export type { IngestSettings } from './sections/ingest.section';
export type { CaseworkSettings } from './sections/casework.section';
