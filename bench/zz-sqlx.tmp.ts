/* Probe: time SQL on a kept data directory. Not committed. */
import { ClickHouseClient } from '@clickhouse/client';
import { readFileSync } from 'node:fs';
import { loadConfig } from '@kansa/config';
import { openStorage } from '@kansa/storage';

export async function main(argv: string[]): Promise<void> {
  const [dataDir, file, reps = '5'] = argv;
  const config = loadConfig({ env: {}, overrides: { storage: { dataDir, url: '' } } });
  const client: ClickHouseClient = await openStorage(config);
  try {
    for (const q of readFileSync(file, 'utf8').split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) {
      const ts: number[] = [];
      let out = '';
      for (let i = 0; i < Number(reps); i++) {
        const t = performance.now();
        if (/^(ALTER|DELETE|DROP|CREATE|INSERT|OPTIMIZE|SYSTEM)/i.test(q)) await client.command({ query: q });
        else out = await (await client.query({ query: q, format: 'TSV' })).text();
        ts.push(performance.now() - t);
      }
      const s = [...ts].sort((a, b) => a - b);
      console.log(`${s[Math.floor(s.length / 2)].toFixed(1).padStart(8)} ms median (first ${ts[0].toFixed(1)})  ${q.replace(/\s+/g, ' ').slice(0, 150)}`);
      if (out.length < 200000) console.log('   ' + out.trim().split('\n').slice(0, 2000).join('\n   '));
    }
  } finally {
    await client.close();
  }
}
