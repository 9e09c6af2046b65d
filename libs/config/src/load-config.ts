import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { issueText, japaneseIssues } from '@kansa/domain/issues';
import { KansaConfig, kansaConfigSchema } from './config.schema';

export class ConfigError extends Error {}

export interface LoadConfigOptions {
  /** A site configuration file layered over the defaults. */
  file?: string;
  /** Overrides applied last (command-line flags). */
  overrides?: DeepPartial<KansaConfig>;
  env?: NodeJS.ProcessEnv;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export const DEFAULT_CONFIG_FILE = join(__dirname, '..', '..', '..', 'config', 'kansa.yaml');

/** Environment variables that override configuration keys. */
const ENV_OVERRIDES: Array<[string, string[], (v: string) => unknown]> = [
  ['CLICKHOUSE_URL', ['storage', 'url'], String],
  ['CLICKHOUSE_USER', ['storage', 'user'], String],
  ['CLICKHOUSE_PASSWORD', ['storage', 'password'], String],
  ['CLICKHOUSE_DATABASE', ['storage', 'database'], String],
  ['KANSA_DATA_DIR', ['storage', 'dataDir'], String],
  ['KANSA_WRITER', ['storage', 'writer'], String],
  ['KANSA_INGEST_BATCH_LINES', ['ingest', 'batchLines'], Number],
  ['KANSA_FAULT_KILL_AFTER_EVENTS_INSERT', ['ingest', 'faults', 'killAfterEventsInsert'], Number],
  ['KANSA_HMAC_KEY', ['privacy', 'hmacKey'], String],
  ['KANSA_HMAC_KEY_FILE', ['privacy', 'hmacKeyFile'], String],
  ['KANSA_SMTP_PASSWORD', ['alerts', 'email', 'password'], String],
  ['KANSA_WEBHOOK_SECRET', ['alerts', 'webhook', 'secret'], String],
];

/** Registers more environment overrides (a section's own secrets). */
export function registerEnvOverride(name: string, path: string[], parse: (v: string) => unknown = String): void {
  ENV_OVERRIDES.push([name, path, parse]);
}

/**
 * Parses the configuration once. Errors name the file and the key, in Japanese as the operators who edit the file
 * read them (japaneseIssues; a message the schema sets itself stays as written):
 * `config/site.yaml: storage.retentionYears: 無効な入力: numberが期待されましたが、stringが入力されました`.
 */
export function loadConfig(options: LoadConfigOptions = {}): KansaConfig {
  const env = options.env ?? process.env;
  const layers: Array<[string, unknown]> = [[DEFAULT_CONFIG_FILE, readYaml(DEFAULT_CONFIG_FILE)]];
  const site = options.file ?? env.KANSA_CONFIG;
  if (site) {
    if (!existsSync(site)) throw new ConfigError(`${site}: configuration file not found`);
    layers.push([site, readYaml(site)]);
  }
  let merged: Record<string, unknown> = {};
  for (const [, layer] of layers) merged = deepMerge(merged, (layer ?? {}) as Record<string, unknown>);
  for (const [name, path, parse] of ENV_OVERRIDES) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(merged, path, parse(value));
  }
  if (options.overrides) merged = deepMerge(merged, options.overrides as Record<string, unknown>);
  const result = kansaConfigSchema.safeParse(merged, { error: japaneseIssues });
  if (!result.success) {
    const where = site ?? DEFAULT_CONFIG_FILE;
    throw new ConfigError(`${where}: ${formatIssues(result.error)}`);
  }
  return result.data;
}

function readYaml(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
}

export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => issueText(i, '(root)')).join('; ');
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** The configuration as it may be printed: secrets masked. */
export function redactConfig(config: KansaConfig): unknown {
  return JSON.parse(
    JSON.stringify(config, (key, value) =>
      /password|secret|token|hmacKey$|sha256/i.test(key) && typeof value === 'string' && value !== '' ? '***' : value,
    ),
  );
}
