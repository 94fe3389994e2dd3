// Builds the GUI's front end (packages/agent/src/gui/web) into packages/agent/dist/gui/:
// index.html, app.<hash>.js and app.<hash>.css, minified, with no inline script or style so the
// server's CSP ('self' only) holds. Prints the sizes (gzipped too).
// Usage: node scripts/build-gui.mjs [--quiet] [--outdir DIR]  (tests build into a temp DIR and
// point the server at it with NOPESIGHT_GUI_DIR)
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(root, 'packages/agent/src/gui/web');
const outIndex = process.argv.indexOf('--outdir');
const outDir =
  outIndex > 0 && process.argv[outIndex + 1]
    ? resolve(process.argv[outIndex + 1])
    : join(root, 'packages/agent/dist/gui');
const quiet = process.argv.includes('--quiet');

// Old hashed files would pile up otherwise. Only this script's own files go: tsc writes the GUI
// server's compiled code to dist/gui/server/ beside them.
const OWN = /^(index\.html|app\.[A-Za-z0-9]+\.(js|css))$/;
mkdirSync(outDir, { recursive: true });
for (const f of readdirSync(outDir)) if (OWN.test(f)) rmSync(join(outDir, f));

const result = await build({
  entryPoints: [join(webDir, 'main.tsx')],
  outdir: outDir,
  entryNames: 'app.[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15', 'edge100'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(webDir, 'tsconfig.json'),
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
if (!js || !css)
  throw new Error(`esbuild produced ${outputs.join(', ')}: expected a .js and a .css`);

const icon =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Ccircle cx='16' cy='16' r='13' fill='none' stroke='%232563eb' stroke-width='4'/%3E%3Ccircle cx='16' cy='16' r='4' fill='%232563eb'/%3E%3C/svg%3E";
const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <title>NopeSight Scanner</title>
    <link rel="icon" href="${icon}" />
    <link rel="stylesheet" href="/${css}" />
    <script type="module" src="/${js}"></script>
  </head>
  <body>
    <div id="app"></div>
    <noscript>The NopeSight Scanner GUI needs JavaScript.</noscript>
  </body>
</html>
`;
writeFileSync(join(outDir, 'index.html'), html);

if (!quiet) {
  for (const f of readdirSync(outDir)
    .filter((n) => OWN.test(n))
    .sort()) {
    const data = readFileSync(join(outDir, f));
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(
      `gui: ${f.padEnd(24)} ${kib(data.length).padStart(10)}  gzip ${kib(gzipSync(data).length)}`,
    );
  }
}
