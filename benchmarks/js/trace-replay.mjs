// The same whole-trace replays as collab-core's TraceReplay.java, with Yjs: one JSON line per trace.
//   node --expose-gc trace-replay.mjs [--runs N] [--trace NAME] [--smoke] [--traces DIR]
import * as Y from 'yjs'
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

const args = process.argv.slice(2)
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt }
const smoke = args.includes('--smoke')
const runs = Number(opt('--runs', '10'))
const tracesDir = opt('--traces', fileURLToPath(new URL('../../testdata/traces/', import.meta.url)))
const names = opt('--trace', null) ? [opt('--trace')] : ['automerge-paper', 'seph-blog1', 'rustcode', 'sveltecomponent']

/** Loads a trace, converting code-point positions to UTF-16 positions (astral characters count twice). */
const load = name => {
  const json = JSON.parse(gunzipSync(readFileSync(`${tracesDir}/${name}.json.gz`)).toString('utf8'))
  let astral = []
  const txns = json.txns.map(t => t.patches.map(([pos, del, ins]) => {
    let before = 0
    let within = 0
    const next = []
    const insCodePoints = [...ins].length
    for (const a of astral) {
      if (a < pos) { before++; next.push(a) } else if (a < pos + del) within++
      else next.push(a - del + insCodePoints)
    }
    let cp = 0
    for (const ch of ins) { if (ch.length === 2) next.push(pos + cp); cp++ }
    next.sort((x, y) => x - y)
    astral = next
    return [pos + before, del + within, ins]
  }))
  return { name, txns, endContent: json.endContent }
}

const apply = (text, edits) => {
  for (const [index, del, ins] of edits) {
    if (del > 0) text.delete(index, del)
    if (ins.length > 0) text.insert(index, ins)
  }
}

const check = (trace, doc) => {
  if (trace.endContent !== null && doc.getText('text').toString() !== trace.endContent) {
    throw new Error(trace.name + ': the replay did not reach the trace\'s end content')
  }
}

const time = (warmups, runs, work) => {
  // Warm up for the given number of runs and at least a second, so that short operations get optimized too.
  const warmupEnd = Date.now() + (warmups > 0 ? 1000 : 0)
  for (let i = 0; i < warmups || Date.now() < warmupEnd; i++) work()
  const ms = []
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint()
    work()
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  ms.sort((a, b) => a - b)
  return { median: ms[Math.floor(runs / 2)], min: ms[0], max: ms[runs - 1] }
}

const gc = () => { if (global.gc) { for (let i = 0; i < 4; i++) global.gc() } }

for (const name of names) {
  let trace = load(name)
  if (smoke) trace = { name, txns: trace.txns.slice(0, 2000), endContent: null }
  const warmups = smoke ? 0 : Math.max(3, Math.floor(runs / 2))
  const n = smoke ? 1 : runs
  let updateBytes = 0
  const replayPerTxn = time(warmups, n, () => {
    const doc = new Y.Doc()
    doc.clientID = 1
    let bytes = 0
    doc.on('update', u => { bytes += u.length })
    const text = doc.getText('text')
    for (const edits of trace.txns) doc.transact(() => apply(text, edits))
    check(trace, doc)
    updateBytes = bytes
  })
  const replayOneTxn = time(warmups, n, () => {
    const doc = new Y.Doc()
    doc.clientID = 1
    const text = doc.getText('text')
    doc.transact(() => { for (const edits of trace.txns) apply(text, edits) })
    check(trace, doc)
  })
  const full = new Y.Doc()
  full.clientID = 1
  for (const edits of trace.txns) full.transact(() => apply(full.getText('text'), edits))
  const state = Y.encodeStateAsUpdate(full)
  const encode = time(warmups, n, () => Y.encodeStateAsUpdate(full))
  const loadState = time(warmups, n, () => {
    const doc = new Y.Doc()
    doc.clientID = 2
    Y.applyUpdate(doc, state)
    check(trace, doc)
  })
  // Heap held by a loaded document: the average of several copies, after full GCs (as TraceReplay.java).
  const copies = Math.max(8, Math.ceil(4e6 / state.length)) // enough copies to rise above the noise
  gc()
  const before = process.memoryUsage().heapUsed
  const kept = []
  for (let i = 0; i < copies; i++) {
    const d = new Y.Doc()
    Y.applyUpdate(d, state)
    d.getText('text')
    kept.push(d)
  }
  gc()
  const heapBytes = global.gc ? Math.round((process.memoryUsage().heapUsed - before) / copies) : null
  const edits = trace.txns.reduce((n, t) => n + t.length, 0)
  console.log(JSON.stringify({
    system: 'yjs ' + JSON.parse(readFileSync(new URL('./node_modules/yjs/package.json', import.meta.url))).version,
    trace: name, edits, txns: trace.txns.length, replayPerTxn, replayOneTxn, encode, load: loadState,
    updateBytes, stateBytes: state.length, heapBytes, keep: kept.length > 0 ? undefined : 0
  }))
}
