import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import type { PersonRole } from './permissions';

/** A person's account as stored (the latest row of its user_id). */
export interface UserRecord {
  userId: string;
  name: string;
  role: PersonRole;
  departments: string[];
  passwordHash: string;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

interface UserRow {
  user_id: string;
  name: string;
  role: PersonRole;
  departments: string[];
  password_hash: string;
  must_change_password: boolean | number;
  disabled: boolean | number;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

/** The latest row of each account (every row repeats the account's creation time). */
const LATEST = `SELECT * FROM ${TABLES.users} ORDER BY user_id, updated_at DESC LIMIT 1 BY user_id`;

/** `users`: people's accounts, one row per change. */
@Injectable()
export class UsersRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async list(): Promise<UserRecord[]> {
    return (await this.rows(`SELECT * FROM (${LATEST}) ORDER BY name`, {})).map(toRecord);
  }

  async byName(name: string): Promise<UserRecord | null> {
    const [row] = await this.rows(`SELECT * FROM (${LATEST}) WHERE name = {name:String} ORDER BY updated_at DESC LIMIT 1`, { name });
    return row ? toRecord(row) : null;
  }

  async byId(userId: string): Promise<UserRecord | null> {
    const [row] = await this.rows(`SELECT * FROM (${LATEST}) WHERE user_id = {userId:String}`, { userId });
    return row ? toRecord(row) : null;
  }

  /** Stores the account as it is now (a new row; the latest one counts). */
  async save(u: UserRecord): Promise<void> {
    await this.client.insert({
      table: TABLES.users,
      format: 'JSONEachRow',
      values: [
        {
          user_id: u.userId,
          name: u.name,
          role: u.role,
          departments: u.departments,
          password_hash: u.passwordHash,
          must_change_password: u.mustChangePassword,
          disabled: u.disabled,
          created_at: u.createdAt,
          updated_at: u.updatedAt,
          updated_by: u.updatedBy,
        },
      ],
    });
  }

  private async rows(query: string, query_params: Record<string, unknown>): Promise<UserRow[]> {
    return (await this.client.query({ query, query_params, format: 'JSONEachRow' })).json<UserRow>();
  }
}

function toRecord(r: UserRow): UserRecord {
  return {
    userId: r.user_id,
    name: r.name,
    role: r.role,
    departments: r.departments,
    passwordHash: r.password_hash,
    mustChangePassword: Boolean(r.must_change_password),
    disabled: Boolean(r.disabled),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}
