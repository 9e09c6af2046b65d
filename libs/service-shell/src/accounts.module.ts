import { Module } from '@nestjs/common';
import { AccessAuditRepository } from './access-audit.repository';
import { AccountsService } from './accounts.service';
import { SessionsRepository } from './sessions.repository';
import { UsersRepository } from './users.repository';

/** People's accounts, sessions and the audit log: for the service and for CLI commands (`kansa user`, `kansa events`). */
@Module({
  providers: [AccessAuditRepository, UsersRepository, SessionsRepository, AccountsService],
  exports: [AccessAuditRepository, AccountsService],
})
export class AccountsModule {}
