import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

export const JST = 'Asia/Tokyo';

/** `YYYY-MM-DD HH:mm:ss.SSS` in JST: how DateTime64(3, 'Asia/Tokyo') values are written and read. */
export function toJstTimestamp(at: Date | number): string {
  return format(new TZDate(typeof at === 'number' ? at : at.getTime(), JST), 'yyyy-MM-dd HH:mm:ss.SSS');
}

/** `YYYY-MM-DD HH:mm` in JST, for messages to staff. */
export function toJstMinute(at: Date | number): string {
  return format(new TZDate(typeof at === 'number' ? at : at.getTime(), JST), 'yyyy-MM-dd HH:mm');
}
