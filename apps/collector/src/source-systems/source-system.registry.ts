import { Inject, Injectable } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { SourcesConfig } from '@kansa/config/sections/sources.section';
import { atenaMapper } from './atena/atena.mapper';
import { atenaSchema } from './atena/atena.schema';
import { atenaSql } from './atena/atena.sql';
import { canonicalMapper } from './canonical/canonical.mapper';
import { canonicalSchema } from './canonical/canonical.schema';
import { chukanMapper } from './chukan/chukan.mapper';
import { chukanSchema } from './chukan/chukan.schema';
import { chukanSql } from './chukan/chukan.sql';
import { juminMapper } from './jumin/jumin.mapper';
import { juminSchema } from './jumin/jumin.schema';
import { juminSql } from './jumin/jumin.sql';
import { recordsMapper } from './records/records.mapper';
import { recordsSchema } from './records/records.schema';
import { CsvSourceSystem } from './shared/csv-source';
import { JsonSourceSystem } from './shared/json-source';
import { SourceConfigError, SourceSystem } from './shared/source-system';
import { terminalMapper } from './terminal/terminal.mapper';
import { terminalSchema } from './terminal/terminal.schema';
import { terminalSql } from './terminal/terminal.sql';
import { WindowsSourceSystem } from './windows/windows.source';

/** Builds every configured source system once (configuration errors surface at start). */
export function buildSourceSystems(sources: SourcesConfig): Map<string, SourceSystem> {
  const systems = new Map<string, SourceSystem>();
  const names = Object.keys(sources).filter((n) => sources[n].parser !== 'canonical');
  const recordSources = names.filter((n) => sources[n].parser === 'records');
  for (const [name, config] of Object.entries(sources)) {
    if (config.parser !== 'chukan' && config.parser !== 'canonical' && config.parser !== 'windows' && config.header.length === 0) {
      throw new SourceConfigError(`sources.${name}.header: required for a CSV source`);
    }
    switch (config.parser) {
      case 'jumin':
        systems.set(name, new CsvSourceSystem(name, config, juminSchema(name, config), juminMapper(config), juminSql(config)));
        break;
      case 'atena':
        systems.set(name, new CsvSourceSystem(name, config, atenaSchema(name, config), atenaMapper(config), atenaSql(config)));
        break;
      case 'terminal':
        systems.set(name, new CsvSourceSystem(name, config, terminalSchema(name, config), terminalMapper(config), terminalSql(config)));
        break;
      case 'chukan':
        systems.set(name, new JsonSourceSystem(name, config, chukanSchema(name, config), chukanMapper(config), chukanSql(config)));
        break;
      case 'records':
        systems.set(name, new CsvSourceSystem(name, config, recordsSchema(name, config), recordsMapper(config)));
        break;
      case 'canonical':
        systems.set(name, new JsonSourceSystem(name, config, canonicalSchema(names, recordSources), canonicalMapper));
        break;
      case 'windows':
        systems.set(name, new WindowsSourceSystem(name, config));
        break;
    }
  }
  return systems;
}

/** The request names a source that is not configured. */
export class UnknownSourceError extends Error {}

/** The configured source systems of this process, by name. */
@Injectable()
export class SourceSystems {
  private readonly systems: Map<string, SourceSystem>;

  constructor(@Inject(KANSA_CONFIG) config: KansaConfig) {
    this.systems = buildSourceSystems(config.sources);
  }

  /** Configured source names. */
  get names(): string[] {
    return [...this.systems.keys()];
  }

  get(source: string): SourceSystem {
    const system = this.systems.get(source);
    if (!system) throw new UnknownSourceError(`unknown source "${source}" (configured: ${this.names.join(', ')}) / 未知のシステムです`);
    return system;
  }
}
