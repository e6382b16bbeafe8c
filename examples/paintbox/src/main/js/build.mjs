// Bundles Paintbox's page (app.jsx with React, Lexical, yjs and y-websocket) into <out>/app.js and copies
// index.html beside it. Run by the Maven build (phase generate-resources) with <out> = target/classes/static, so
// Spring Boot serves the page from the class path and no CDN is needed at run time.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const out = process.argv[2]
if (!out) {
  console.error('usage: node build.mjs <output directory>')
  process.exit(2)
}
mkdirSync(out, { recursive: true })
await build({
  entryPoints: [here + 'app.jsx'],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  minify: true,
  sourcemap: true,
  conditions: ['production'],
  define: { 'process.env.NODE_ENV': '"production"' },
  outfile: out + '/app.js',
  logLevel: 'warning'
})
copyFileSync(here + 'index.html', out + '/index.html')
