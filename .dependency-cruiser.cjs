// Imports point down only: domain and the pure libraries (log, epcis, labels, reports) -> store -> app (use cases)
// -> http, cli and demo. No import circles. `npm run deps` checks it, and so does .ci/run.
const pure = '^src/(domain|log|epcis|labels|reports)/';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import circles', from: {}, to: { circular: true } },
    {
      name: 'pure-stays-pure',
      severity: 'error',
      comment: 'domain and the pure libraries import no store, use case, HTTP or CLI code',
      from: { path: pure },
      to: { path: '^src/(store|app|http|cli|demo)/' },
    },
    {
      name: 'store-below-app',
      severity: 'error',
      comment: 'the store imports nothing from the use cases or above',
      from: { path: '^src/store/' },
      to: { path: '^src/(app|http|cli|demo)/' },
    },
    {
      name: 'app-below-interfaces',
      severity: 'error',
      comment: 'use cases import nothing from HTTP, the CLI or the demo',
      from: { path: '^src/app/' },
      to: { path: '^src/(http|cli|demo)/' },
    },
    {
      name: 'http-not-cli',
      severity: 'error',
      comment: 'HTTP and the CLI are siblings; the demo is a CLI command',
      from: { path: '^src/http/' },
      to: { path: '^src/(cli|demo)/' },
    },
    {
      name: 'frozen-migrations',
      severity: 'error',
      comment: 'a migration is frozen in time: Kysely<any> and what it defines itself, never the code of the day',
      from: { path: '^src/store/migrations/' },
      to: { path: '^src/', pathNot: '^src/store/migrations/' },
    },
    {
      name: 'no-tests-in-product',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: '(\\.test\\.ts$|^test/)' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
