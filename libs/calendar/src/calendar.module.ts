import { Module } from '@nestjs/common';
import { MastersModule } from '@kansa/masters/masters.module';
import { CalendarDaysRepository } from './calendar-days.repository';
import { CalendarService } from './calendar.service';

/** The business calendar written to calendar_days (needs the global StorageModule). */
@Module({ imports: [MastersModule], providers: [CalendarDaysRepository, CalendarService], exports: [CalendarService] })
export class CalendarModule {}
