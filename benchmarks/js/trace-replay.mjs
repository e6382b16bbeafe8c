// The same whole-trace replays as collab-core's TraceReplay.java, through one system's adapter: one JSON line per trace.
//   node --expose-gc trace-replay.mjs [--system yjs|ywasm|loro|automerge|json-joy] [--runs N] [--trace NAME] [--smoke] [--traces DIR]
import { watchWasmMemory, time, timeOrLimit, checkDeadline, retainedHeap } from './measure.mjs'
import { TRACE_NAMES, defaultTracesDir, loadTrace } from './traces.mjs'

watchWasmMemory()
const args = process.argv.slice(2)
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt }
const smoke = args.includes('--smoke')
const runs = Number(opt('--runs', '10'))
const system = opt('--system', 'yjs')
const tracesDir = opt('--traces', defaultTracesDir)
const names = opt('--trace', null) ? [opt('--trace')] : TRACE_NAMES
const adapter = await import(`./adapters/${system}.mjs`)

let applied = 0
const apply = (doc, edits) => {
  if ((++applied & 255) === 0) checkDeadline()
  for (let i = 0; i < edits.length; i++) {
    const [index, del, ins] = edits[i]
    if (del > 0) doc.deleteText(index, del)
    if (ins.length > 0) doc.insertText(index, ins)
  }
}

const check = (trace, doc) => {
  if (trace.endContent !== null && doc.getText() !== trace.endContent) {
    throw new Error(`${system} ${trace.name}: the replay did not reach the trace's end content`)
  }
}

for (const name of names) {
  try {
    replay(name)
  } catch (e) {
    // One system failing one trace does not stop the table: the orchestrator shows the error in its place.
    console.log(JSON.stringify({ system: adapter.name, version: adapter.version, trace: name, error: String(e.message ?? e) }))
    if (smoke) process.exitCode = 1
  }
}

function replay (name) {
  let trace = loadTrace(tracesDir, name)
  if (smoke) trace = { name, txns: trace.txns.slice(0, 2000), endContent: null }
  const warmups = smoke ? 0 : Math.max(1, Math.floor(runs / 2))
  const n = smoke ? 1 : runs
  let updateBytes = 0
  const replayPerTxn = timeOrLimit(warmups, n, () => {
    let bytes = 0
    const doc = adapter.create(u => { bytes += u.length }, { clientId: 1 })
    for (const edits of trace.txns) doc.transact(() => apply(doc, edits))
    check(trace, doc)
    doc.free()
    updateBytes = bytes
  })
  const replayOneTxn = timeOrLimit(warmups, n, () => {
    const doc = adapter.create(null, { clientId: 1 })
    doc.transact(() => { for (const edits of trace.txns) apply(doc, edits) })
    check(trace, doc)
    doc.free()
  })
  const edits = trace.txns.reduce((k, t) => k + t.length, 0)
  const common = { system: adapter.name, version: adapter.version, encoding: adapter.encoding, trace: name, edits, txns: trace.txns.length }
  if (replayPerTxn.timedOut) {
    // Without a finished replay there is no final state to encode, load and weigh.
    console.log(JSON.stringify({ ...common, replayPerTxn, replayOneTxn, encode: null, load: null, updateBytes: null, stateBytes: null, heap: null, heapBytes: null }))
    return
  }
  const full = adapter.create(null, { clientId: 1 })
  for (const edits of trace.txns) full.transact(() => apply(full, edits))
  const state = full.encode()
  const encode = time(warmups, n, () => full.encode())
  full.free()
  const loadState = time(warmups, n, () => {
    const doc = adapter.load(state)
    check(trace, doc)
    doc.free()
  })
  const heap = smoke ? null : retainedHeap(system, state, trace.endContent === null ? undefined : { text: trace.endContent })
  console.log(JSON.stringify({
    ...common, replayPerTxn, replayOneTxn, encode, load: loadState,
    updateBytes, stateBytes: state.length, heap, heapBytes: heap === null ? null : Math.round(heap.median)
  }))
}
