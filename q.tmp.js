require('/work/main/scripts/register');
const { openClickHouse } = require('/work/main/libs/storage/src/clickhouse.factory.ts');
(async () => {
  const c = await openClickHouse({ dataDir: process.argv[2] });
  const r = await (await c.query({ query: process.argv[3], format: 'TabSeparatedRaw' })).text();
  console.log(r); process.exit(0);
})();
