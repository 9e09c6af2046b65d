import { DynamicModule, Global, Module } from '@nestjs/common';
import { KansaConfig } from './config.schema';

export const KANSA_CONFIG = Symbol('KANSA_CONFIG');

/** Hands the one parsed configuration to every module. */
@Global()
@Module({})
export class KansaConfigModule {
  static forRoot(config: KansaConfig): DynamicModule {
    return {
      module: KansaConfigModule,
      providers: [{ provide: KANSA_CONFIG, useValue: config }],
      exports: [KANSA_CONFIG],
    };
  }
}
