// graphql-codegen (typescript + typescript-operations), as a front-end team would run it, on
// schema.graphql and every example operation of README.md and docs/*.md taken together: fails on
// any error (an operation that does not validate, two with one name, an anonymous one beside others).
// Usage: node codegen-check.mjs REPOSITORY_ROOT
import { generate } from '@graphql-codegen/cli';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
const documents = [];
for (const file of files) {
  const text = readFileSync(join(root, file), 'utf8');
  for (const [, block] of text.matchAll(/```graphql\n([\s\S]*?)```/g)) documents.push(block);
}
try {
  const [output] = await generate(
    {
      schema: join(root, 'schema.graphql'),
      documents,
      silent: true,
      generates: { 'types.ts': { plugins: ['typescript', 'typescript-operations'] } },
    },
    false
  );
  const types = (output.content.match(/^export type \w+Mutation = /gm) || []).length +
    (output.content.match(/^export type \w+Query = /gm) || []).length;
  console.log(`graphql-codegen: ${documents.length} documented operations, ${types} operation types generated, 0 errors`);
} catch (e) {
  console.error(`graphql-codegen failed: ${e.message || e}`);
  for (const err of e.errors || []) console.error(`  ${err.message || err}`);
  process.exit(1);
}
