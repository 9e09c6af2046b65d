import { Module } from '@nestjs/common';
import { MastersModule } from '@kansa/masters/masters.module';
import { CalendarService } from './calendar.service';

/** The business calendar written to calendar_days (needs the global StorageModule). */
@Module({ imports: [MastersModule], providers: [CalendarService], exports: [CalendarService] })
export class CalendarModule {}
