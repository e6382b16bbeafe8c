// Bundles the demo page's script (app.js with yjs and y-websocket) into <out>/app.js and copies index.html beside
// it. Run by the example's Maven build (phase generate-resources) with <out> = target/classes/static, so the page
// is served from the classpath and no CDN is needed at run time.
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
  entryPoints: [here + 'app.js'],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outfile: out + '/app.js',
  logLevel: 'warning'
})
copyFileSync(here + 'index.html', out + '/index.html')
