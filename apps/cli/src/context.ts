import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, KansaConfig, loadConfig } from '@kansa/config';
import { ServiceLogger } from '@kansa/service-shell/service-logger';
import { StorageUnavailableError } from '@kansa/storage';
import { UserError } from './errors';
import { KansaModule, KansaModuleOptions } from './kansa.module';

export interface GlobalOptions {
  dataDir?: string;
  config?: string;
  json?: boolean;
}

/** What every command gets: parsed global flags, configuration, output. */
export class CommandContext {
  private configCache?: KansaConfig;

  constructor(
    readonly globals: GlobalOptions,
    readonly out: NodeJS.WriteStream = process.stdout,
    readonly err: NodeJS.WriteStream = process.stderr,
  ) {}

  get json(): boolean {
    return Boolean(this.globals.json);
  }

  get config(): KansaConfig {
    if (!this.configCache) {
      try {
        this.configCache = loadConfig({
          file: this.globals.config,
          overrides: this.globals.dataDir ? { storage: { dataDir: this.globals.dataDir } } : undefined,
        });
      } catch (err) {
        if (err instanceof ConfigError) throw new UserError(err.message);
        throw err;
      }
    }
    return this.configCache;
  }

  /**
   * Runs `fn` inside the Nest application (storage opened and migrated), then
   * closes it; `{ collector: true }` for commands that store logs.
   */
  async withApp<T>(fn: (app: INestApplicationContext) => Promise<T>, options: KansaModuleOptions = {}): Promise<T> {
    let app: INestApplicationContext;
    try {
      app = await NestFactory.createApplicationContext(KansaModule.forRoot(this.config, options), {
        logger: new ServiceLogger({ logLevels: process.env.KANSA_DEBUG ? ['log', 'error', 'warn', 'debug'] : ['error', 'warn'] }),
        abortOnError: false,
      });
    } catch (err) {
      if (err instanceof StorageUnavailableError) throw new UserError(err.message, 1);
      throw err;
    }
    app.enableShutdownHooks();
    try {
      return await fn(app);
    } finally {
      await app.close();
    }
  }

  /** Prints a human line, or the value as JSON with --json. */
  print(human: string, value?: unknown): void {
    if (this.json) {
      if (value !== undefined) this.out.write(JSON.stringify(value, null, 2) + '\n');
    } else if (human) {
      this.out.write(human.endsWith('\n') ? human : human + '\n');
    }
  }
}
