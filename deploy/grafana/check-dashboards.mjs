// Type-check Grafana dashboard JSON against the Dashboard type of @grafana/schema, with tsc.
//
// Grafana has no offline validator; its TypeScript schema is the authoritative shape of a dashboard. Each JSON
// file becomes `export const d: J<Dashboard> = <the JSON>` in a scratch .ts file; being a fresh object literal,
// it gets excess-property checks too (a misspelt key is an error). J<T> accepts the literal values of string
// enums (JSON holds "palette-classic", not FieldColorModeId.PaletteClassic) and null for optional fields.
//
// Usage: node check-dashboards.mjs NODE_DIR DASHBOARD.json...   (NODE_DIR holds node_modules with
// @grafana/schema and typescript; the scratch files go under it so tsc resolves the imports.)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const [nodeDir, ...dashboards] = process.argv.slice(2);
if (!nodeDir || dashboards.length === 0) {
  console.error('usage: node check-dashboards.mjs NODE_DIR DASHBOARD.json...');
  process.exit(2);
}
const scratch = join(nodeDir, 'dashboard-check');
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch);
const header = `import type { Dashboard } from '@grafana/schema';
type J<T> = T extends string ? \`\${T}\` : T extends readonly (infer U)[] ? J<U>[]
  : T extends object ? { [K in keyof T]: J<T[K]> | (undefined extends T[K] ? null : never) } : T;
`;
const files = dashboards.map((path, i) => {
  const file = join(scratch, `d${i}_${basename(path, '.json').replace(/\W/g, '_')}.ts`);
  const json = JSON.stringify(JSON.parse(readFileSync(path, 'utf8')), null, 2);
  writeFileSync(file, `${header}// ${path}\nexport const d: J<Dashboard> = ${json};\n`);
  return file;
});
const tsc = join(nodeDir, 'node_modules', 'typescript', 'bin', 'tsc');
const options = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
try {
  execFileSync(process.execPath, [tsc, ...options, ...files], { stdio: 'inherit' });
} catch {
  console.error(`dashboards do not match @grafana/schema's Dashboard type (generated code in ${scratch})`);
  process.exit(1);
}
console.log(`${dashboards.length} dashboard(s) match @grafana/schema's Dashboard type`);
