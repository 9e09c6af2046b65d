import { addDays } from '@kansa/calendar/business-calendar';
import type { DemoResidents } from './demo-organisation';
import { Random } from './demo-random';

/**
 * What residents.csv says beyond the numbers: an opaque 住所コード per
 * household (a quarter of the addresses hold two households: flats, a
 * two-family house) and the 除票 (転出 or 死亡 before the month, about 1 %).
 * Drawn from their own random stream, so the city itself is unchanged.
 */
export interface ResidentDetails {
  /** Address index of each household. */
  addressOfHousehold: Int32Array;
  /** 0 住登, 1 転出, 2 死亡 per resident. */
  movement: Uint8Array;
  /** 異動日 of the residents with a 除票. */
  movedOn: Map<number, string>;
}

export const MOVEMENTS = ['住登', '転出', '死亡'] as const;

export function addressCode(a: number): string {
  return `AD${String(a + 1).padStart(8, '0')}`;
}

export function buildResidentDetails(seed: string, residents: DemoResidents, month: string): ResidentDetails {
  const rng = Random.derive(seed, 'resident-details');
  const households = residents.householdStart.length;
  const addressOfHousehold = new Int32Array(households);
  let address = 0;
  for (let h = 0; h < households; h++) {
    addressOfHousehold[h] = address;
    // the next household shares this address a quarter of the time
    if (!(h + 1 < households && rng.chance(0.25))) address++;
    else addressOfHousehold[++h] = address++;
  }
  const movement = new Uint8Array(residents.count);
  const movedOn = new Map<number, string>();
  const first = `${month}-01`;
  for (let i = 0; i < residents.count; i++) {
    if (!rng.chance(0.01)) continue;
    movement[i] = rng.chance(0.7) ? 1 : 2;
    movedOn.set(i, addDays(first, -rng.int(1, 400)));
  }
  return { addressOfHousehold, movement, movedOn };
}

/** Residents living at the address of household `h`, other households only. */
export function neighbours(details: ResidentDetails, residents: DemoResidents, h: number): number[] {
  const a = details.addressOfHousehold[h];
  const out: number[] = [];
  for (const k of [h - 1, h + 1]) {
    if (k < 0 || k >= residents.householdStart.length || details.addressOfHousehold[k] !== a) continue;
    for (let i = 0; i < residents.householdSize[k]; i++) out.push(residents.householdStart[k] + i);
  }
  return out;
}
