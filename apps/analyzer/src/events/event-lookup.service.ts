import { Injectable } from '@nestjs/common';
import { checkDayRange } from '@kansa/calendar';
import { AccessEvent, EventsRepository } from './events.repository';

export type { AccessEvent } from './events.repository';

export class EventLookupInputError extends Error {}

export interface EventLookupQuery {
  fromDay?: string;
  toDay?: string;
  /** At most this many events, oldest first (default 100 000). */
  limit?: number;
}

export interface EventLookupResult {
  /** The numbers searched: the one given and its 宛名番号/統合宛名番号 counterparts. */
  matched: string[];
  total: number;
  events: AccessEvent[];
}

/** Who touched this resident (either number), and what this user did — over the whole table. */
@Injectable()
export class EventLookupService {
  constructor(private readonly events: EventsRepository) {}

  async bySubject(number: string, query: EventLookupQuery = {}): Promise<EventLookupResult> {
    const id = number.trim();
    if (!/^\d{10}$|^\d{15}$/.test(id)) {
      throw new EventLookupInputError(
        `--subject "${number}": expected a 宛名番号 (10 digits) or 統合宛名番号 (15 digits) (番号の形式が不正です)`,
      );
    }
    const matched = await this.events.residentNumbers(id);
    return { matched, ...(await this.events.accesses({ subjectIds: matched, ...window(query) })) };
  }

  async byUser(userId: string, query: EventLookupQuery = {}): Promise<EventLookupResult> {
    const id = userId.trim();
    if (!id) throw new EventLookupInputError('--user: a staff ID is required (職員IDを指定してください)');
    return { matched: [id], ...(await this.events.accesses({ userId: id, ...window(query) })) };
  }
}

/** The days and limit of a look-up, checked (a wrong or reversed day is a DateInputError naming the flag). */
function window(query: EventLookupQuery): { fromDay?: string; toDay?: string; limit: number } {
  checkDayRange('--from', query.fromDay, '--to', query.toDay);
  return { fromDay: query.fromDay, toDay: query.toDay, limit: query.limit ?? 100_000 };
}
