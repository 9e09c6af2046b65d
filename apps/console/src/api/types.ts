import type { paths } from './schema';

/** The JSON of an operation's 200 (or 201) answer, as the OpenAPI document says. */
type Json<O> = O extends { responses: { 200: { content: { 'application/json': infer J } } } }
  ? J
  : O extends { responses: { 201: { content: { 'application/json': infer J } } } }
    ? J
    : never;

export type GetAnswer<P extends keyof paths> = paths[P] extends { get: infer O } ? Json<O> : never;
export type PostAnswer<P extends keyof paths> = paths[P] extends { post: infer O } ? Json<O> : never;

export type Dashboard = GetAnswer<'/api/console/dashboard'>;
export type FindingPage = GetAnswer<'/api/console/findings'>;
export type FindingRow = FindingPage['items'][number];
export type FindingDetail = GetAnswer<'/api/console/findings/{id}'>;
export type EventLookup = GetAnswer<'/api/events'>;
export type AccessEvent = EventLookup['events'][number];
export type Rule = GetAnswer<'/api/rules'>[number];
export type MasterVersion = GetAnswer<'/api/masters'>[number];
export type MasterPreview = PostAnswer<'/api/masters/preview'>;
export type ReportListing = GetAnswer<'/api/reports'>[number];
export type ReportStatus = GetAnswer<'/api/reports/status'>;
export type AuditPage = GetAnswer<'/api/audit'>;
export type AuditRecord = AuditPage['rows'][number];
export type User = GetAnswer<'/api/users'>[number];
export type FindingsQuery = NonNullable<paths['/api/console/findings']['get']['parameters']['query']>;
export type Case = GetAnswer<'/api/cases/{id}'>;
export type CaseEvent = Case['timeline'][number];
export type RepeatPattern = GetAnswer<'/api/cases/patterns'>[number];
export type ExceptionRecord = GetAnswer<'/api/exceptions/{id}'>[number];
export type ExceptionInput = paths['/api/exceptions']['post']['requestBody']['content']['application/json'];
