// The GraphQL-over-HTTP audit (graphql-http's own, as graphql-http.com runs it) against a running
// server. Prints each audit that did not pass and a tally per level; fails unless every MUST and
// SHOULD passes and at most one MAY does not.
// Usage: node http-audit.mjs http://127.0.0.1:PORT/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
const tally = { MUST: [0, 0], SHOULD: [0, 0], MAY: [0, 0] };
for (const r of results) {
  const level = r.name.split(' ')[0];
  tally[level][1] += 1;
  if (r.status === 'ok') tally[level][0] += 1;
  else console.log(`  ${r.status} ${r.id} ${r.name}: ${r.reason}`);
}
const line = Object.entries(tally).map(([k, [ok, all]]) => `${k} ${ok}/${all}`).join(', ');
console.log(`graphql-http audit: ${line}`);
const [must, should, may] = [tally.MUST, tally.SHOULD, tally.MAY];
if (must[0] !== must[1] || should[0] !== should[1] || may[0] < may[1] - 1) {
  console.error('graphql-http audit: below MUST all, SHOULD all, MAY all but one');
  process.exit(1);
}
