import { BadRequestException, Injectable } from '@nestjs/common';
import { MASTERS, MastersInvalidError, MastersRepository, parseMasterFile } from '@kansa/masters';
import type { MasterKind } from '@kansa/masters';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface UploadedFile {
  name: string;
  content: string;
}

const KIND_OF_FILE = new Map<string, MasterKind>(Object.entries(MASTERS).map(([kind, m]) => [m.file, kind as MasterKind]));

/** Masters uploaded in the console: validated with the same parser as `kansa masters load`, then loaded from a private folder. */
@Injectable()
export class MasterUploadService {
  constructor(private readonly masters: MastersRepository) {}

  preview(files: readonly UploadedFile[]) {
    const out = files.map((f) => {
      const name = basename(f.name);
      const kind = KIND_OF_FILE.get(name.toLowerCase()) ?? null;
      if (!kind) {
        return {
          file: name,
          master: null,
          rows: 0,
          errors: [{ line: 0, message: `マスタのファイル名ではありません (${[...KIND_OF_FILE.keys()].join(', ')})` }],
        };
      }
      const parsed = parseMasterFile(kind, Buffer.from(f.content, 'utf8'), name);
      return {
        file: name,
        master: kind,
        rows: parsed.rows.length,
        errors: parsed.errors.map(({ line, column, value, message }) => ({ line, column, value, message })),
      };
    });
    return { valid: out.every((f) => f.errors.length === 0), files: out };
  }

  async load(files: readonly UploadedFile[], effectiveFrom?: string) {
    const preview = this.preview(files);
    if (!preview.valid)
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'マスタに誤りがあるため取り込みませんでした (invalid masters)',
        preview,
      });
    const dir = mkdtempSync(join(tmpdir(), 'kansa-masters-'));
    try {
      for (const f of files) writeFileSync(join(dir, basename(f.name).toLowerCase()), f.content, 'utf8');
      const result = await this.masters.load(dir, { effectiveFrom });
      return { loaded: result.loaded.map((l) => ({ ...l, file: basename(l.file) })) };
    } catch (err) {
      if (err instanceof MastersInvalidError) throw new BadRequestException(err.message);
      throw err;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
