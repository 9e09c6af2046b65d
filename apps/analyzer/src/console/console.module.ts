import { Module } from '@nestjs/common';
import { MastersModule } from '@kansa/masters';
import { AccountsModule } from '@kansa/service-shell/accounts.module';
import { AnalyzerModule } from '../analyzer.module';
import { ReviewerScopeService } from './reviewer-scope.service';
import { CatalogueController } from './catalogue.controller';
import { ConsoleFindingsRepository } from './console-findings.repository';
import { ConsoleFindingsService } from './console-findings.service';
import { ConsoleController } from './console.controller';
import { DashboardRepository } from './dashboard.repository';
import { DashboardService } from './dashboard.service';
import { MasterUploadService } from './master-upload.service';

/** The read models of the console (管理画面): dashboard, findings pages, masters and rules (docs/console.md). */
@Module({
  imports: [AnalyzerModule, MastersModule, AccountsModule],
  controllers: [ConsoleController, CatalogueController],
  providers: [
    ReviewerScopeService,
    ConsoleFindingsRepository,
    ConsoleFindingsService,
    DashboardRepository,
    DashboardService,
    MasterUploadService,
  ],
  exports: [ConsoleFindingsService, ReviewerScopeService],
})
export class ConsoleModule {}
