// Writes ../resources/fixtures/yjs-compat/<name>.json: what Yjs 13.6 reads from the documents that Yjs 13.2.0 wrote
// for its own compatibility tests (tests/compatibility.tests.js, copied there as <name>.update.b64). Yjs's test
// compares these against literals; YjsCompatibilitySuiteTest compares collab-core against the same values.
// Also checks text-delta-bugs.json (the deltas of Yjs's testDeltaBug and testDeltaBug2 in tests/y-text.tests.js and
// what they must give, read by YjsTextSuiteTest) against the pinned Yjs; that file is data, not written here.
//   node compatibility-fixtures.mjs          rewrite the .json files
//   node compatibility-fixtures.mjs --check  exit 1 if they are stale
import * as Y from 'yjs'
import { readFileSync, writeFileSync } from 'node:fs'

const dir = new URL('../resources/fixtures/yjs-compat/', import.meta.url)
const read = {
  array: doc => doc.getArray('array').toJSON(),
  map: doc => doc.getMap('map').toJSON(),
  text: doc => doc.getText('text').toDelta()
}
const check = process.argv.includes('--check')
let stale = false
for (const [name, value] of Object.entries(read)) {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Buffer.from(readFileSync(new URL(name + '.update.b64', dir), 'utf8').trim(), 'base64'))
  const json = JSON.stringify(value(doc)) + '\n'
  const file = new URL(name + '.json', dir)
  if (check) {
    let old = null
    try { old = readFileSync(file, 'utf8') } catch { }
    if (old !== json) {
      console.error('stale: ' + name + '.json')
      stale = true
    }
  } else {
    writeFileSync(file, json)
  }
}
// JSON with each object's keys sorted: the fixture's key order is the test's, not Yjs's
const canonical = v => JSON.stringify(v, (k, x) => x && typeof x === 'object' && !Array.isArray(x)
  ? Object.fromEntries(Object.keys(x).sort().map(key => [key, x[key]])) : x)
const bugs = JSON.parse(readFileSync(new URL('text-delta-bugs.json', dir), 'utf8'))
for (const [name, { deltas, at, expected }] of Object.entries(bugs)) {
  const ytext = new Y.Doc().getText('')
  deltas.forEach(d => ytext.applyDelta(d))
  const result = ytext.toDelta()
  if (canonical(at === undefined ? result : result[at]) !== canonical(expected)) {
    console.error('text-delta-bugs.json: ' + name + ' is not what Yjs gives')
    stale = true
  }
}
process.exit(stale ? 1 : 0)
