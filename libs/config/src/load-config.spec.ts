import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { businessRecordSources, ConfigError, loadConfig, operationSourcesOf } from '@kansa/config';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/** A site file with this YAML, loaded over the defaults. */
const siteWith = (yaml: string) => {
  const file = join(scratchDir('config'), 'site.yaml');
  writeFileSync(file, yaml);
  return () => loadConfig({ file, env: {} });
};

describe('a site configuration', () => {
  it('turns of the nightly verification need its recent days, and the error names the file and the key', () => {
    const load = siteWith('casework:\n  watch:\n    verifyOlderNights: 30\n');
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/site\.yaml: casework\.watch\.verifyOlderNights: needs verifyContentDays ≥ 1/);
    const ok = siteWith('casework:\n  watch:\n    verifyContentDays: 7\n    verifyOlderNights: 30\n')();
    expect(ok.casework.watch).toMatchObject({ verifyContentDays: 7, verifyOlderNights: 30 });
  });

  it('says in Japanese what is wrong with a value the operator typed, naming the file and every key', () => {
    const load = siteWith('storage:\n  retentionYears: seven\nhttp:\n  port: 99999999\n');
    expect(load).toThrow(
      /site\.yaml: storage\.retentionYears: 無効な入力: 数値が期待されましたが、stringが入力されました; http\.port: 大きすぎる値: .*65535以下/,
    );
  });
});

describe('the shipped sources, by what their lines are', () => {
  const { sources } = loadConfig({ env: {} });

  it('tells business records from the systems whose operations are stored under their own name', () => {
    expect(businessRecordSources(sources)).toEqual(['records']);
    expect(operationSourcesOf(sources).sort()).toEqual(['atena', 'chukan', 'jumin', 'terminal', 'windows']);
  });

  it('counts an extra system of records (a second 業務記録 export) with them', () => {
    const extra = { ...sources, records_fukushi: { ...sources.records } };
    expect(businessRecordSources(extra).sort()).toEqual(['records', 'records_fukushi']);
    expect(operationSourcesOf(extra)).not.toContain('records_fukushi');
  });
});
