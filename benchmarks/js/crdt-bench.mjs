// The crdt-benchmarks suite (dmonad/crdt-benchmarks: B1.1–B1.11, B2.1–B2.4, B3.1–B3.5, B4, B4x100) through one
// system's adapter, with the suite's definitions and metrics, on the inputs of crdt-bench-inputs.mjs; one JSON
// line per benchmark. CrdtBench.java runs the same for collab-core.
//   node --expose-gc crdt-bench.mjs --inputs FILE [--system NAME] [--runs N] [--only ID,ID] [--b4x100] [--smoke] [--traces DIR]
// Times are medians of whole runs (the suite runs each once): "time" is the suite's measured part, "encode" the
// encoding of the final state, "parse" loading it into a fresh document (and the suite's check); "memory" is the
// retained heap of the loaded document (JS heap + WebAssembly memory, measured in a fresh process, see measure.mjs).
import { readFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import { watchWasmMemory, time, timeOrLimit, checkDeadline, retainedHeap } from './measure.mjs'
import { defaultTracesDir, loadTrace } from './traces.mjs'

watchWasmMemory()
const args = process.argv.slice(2)
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt }
const smoke = args.includes('--smoke')
const runs = smoke ? 1 : Number(opt('--runs', '5'))
const warmups = smoke ? 0 : 1
const system = opt('--system', 'yjs')
const only = opt('--only', null)?.split(',')
const adapter = await import(`./adapters/${system}.mjs`)
const inputs = JSON.parse(readFileSync(opt('--inputs'), 'utf8'))
const wanted = id => (only === null || only === undefined ? !(id === 'B4x100' && !args.includes('--b4x100')) : only.includes(id))

const fail = (id, what) => { throw new Error(`${system} ${id}: ${what}`) }
const same = (a, b) => isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)))
const applyOp = (doc, [kind, index, arg]) => {
  if (kind === 'ti') doc.insertText(index, arg)
  else if (kind === 'td') doc.deleteText(index, arg)
  else doc.insertArray(index, arg)
}
const emit = (id, r) => console.log(JSON.stringify({ system: adapter.name, version: adapter.version, id, ...r }))

/** Times encode and load of `doc`'s state; checks the loaded document; measures its retained heap. */
const stateMetrics = (id, doc, check, expect) => {
  const state = doc.encode()
  const encode = time(warmups, runs, () => doc.encode())
  const parse = time(warmups, runs, () => { const d = adapter.load(state); check(d); d.free() })
  const memory = smoke ? null : retainedHeap(system, state, expect)
  return { docSize: state.length, encode, parse, memory }
}

// B1: one document makes the changes, each its own transaction; a second applies every update.
const b1 = (id, input) => {
  const smokeItems = smoke ? input.items.slice(0, 100) : input.items
  const expect = smoke ? null : (input.text !== undefined ? { text: input.text } : { array: input.array })
  const check = (d1, d2) => {
    const get = d => input.text !== undefined ? d.getText() : d.getArray()
    if (!same(get(d1), get(d2))) fail(id, 'the documents differ')
    if (expect !== null && !same(get(d1), input.text ?? input.array)) fail(id, 'wrong content')
  }
  let kept = null
  let updateBytes = 0
  const t = time(warmups, runs, () => {
    kept?.d1.free(); kept?.d2.free()
    const updates = []
    const d2 = adapter.create(null)
    const d1 = adapter.create(u => updates.push(u))
    for (const item of smokeItems) for (const op of item) applyOp(d1, op)
    for (const u of updates) d2.applyUpdate(u)
    check(d1, d2)
    updateBytes = updates.reduce((n, u) => n + u.length, 0)
    kept = { d1, d2 }
  })
  const m = stateMetrics(id, kept.d1, d => check(kept.d2, d), expect ?? undefined)
  kept.d1.free(); kept.d2.free()
  emit(id, { time: t, updateSize: Math.round(updateBytes / smokeItems.length), ...m })
}

// B2: two documents share a text of 100 characters, then each edits it in one transaction; each update is
// applied to the other document at once.
const b2 = (id, input) => {
  const ops1 = smoke ? input.ops1.slice(0, 100) : input.ops1
  const ops2 = smoke ? input.ops2.slice(0, 100) : input.ops2
  const check = (d1, d2) => {
    if (d1.getText() !== d2.getText()) fail(id, 'the documents differ')
    if (!smoke && input.length !== undefined && d1.getText().length !== input.length) fail(id, 'wrong length')
  }
  let kept = null
  let updateBytes = 0
  const t = time(warmups, runs, () => {
    kept?.d1.free(); kept?.d2.free()
    let bytes = 0
    let d1 = null
    let d2 = null
    let busy = false // a mutex, as the suite's: an update applied from the other side is not sent back
    d1 = adapter.create(u => { if (!busy) { busy = true; bytes += u.length; d2.applyUpdate(u); busy = false } })
    d2 = adapter.create(u => { if (!busy) { busy = true; bytes += u.length; d1.applyUpdate(u); busy = false } })
    d1.insertText(0, inputs.initText)
    const t0 = process.hrtime.bigint()
    d1.transact(() => { for (const op of ops1) applyOp(d1, op) })
    d2.transact(() => { for (const op of ops2) applyOp(d2, op) })
    check(d1, d2)
    updateBytes = bytes
    kept = { d1, d2 }
    return Number(process.hrtime.bigint() - t0) / 1e6
  })
  const m = stateMetrics(id, kept.d1, d => check(d, kept.d2), smoke ? undefined : { text: kept.d2.getText() })
  kept.d1.free(); kept.d2.free()
  emit(id, { time: t, updateSize: Math.round(updateBytes / 2), ...m })
}

// B3: 20√N documents each make one change; the measured part is one document applying all their updates in
// one transaction.
const b3 = (id, change, get) => {
  const clients = smoke ? 20 : inputs.sqrtN
  const updates = []
  const docs = []
  let recording = true // the suite's mutex: what the reference document emits while catching up is not recorded
  for (let i = 0; i < clients; i++) docs.push(adapter.create(u => { if (recording) updates.push(u) }))
  for (let i = 0; i < clients; i++) change(docs[i], i)
  recording = false
  const reference = docs[0]
  reference.transact(() => { for (const u of updates) reference.applyUpdate(u) })
  const expected = get(reference)
  for (let i = 1; i < clients; i++) docs[i].free()
  let target = null
  const t = time(warmups, runs, () => {
    target?.free()
    target = adapter.create(null)
    target.transact(() => { for (const u of updates) target.applyUpdate(u) })
    if (!same(get(target), expected)) fail(id, 'the documents differ')
  })
  target.free()
  const expect = { [get === getMap ? 'map' : get === getArray ? 'array' : 'text']: expected }
  const m = stateMetrics(id, reference, d => { if (!same(get(d), expected)) fail(id, 'the loaded document differs') }, smoke ? undefined : expect)
  reference.free()
  emit(id, { time: t, updateSize: updates.reduce((n, u) => n + u.length, 0), ...m })
}
const getMap = d => d.getMap()
const getArray = d => d.getArray()
const getText = d => d.getText()

// B4: the automerge-paper trace, every edit its own transaction (its update computed and dropped).
const b4 = (id, times) => {
  let edits = loadTrace(opt('--traces', defaultTracesDir), 'automerge-paper')
  const endContent = edits.endContent
  edits = edits.txns.flat()
  if (smoke) edits = edits.slice(0, 2000)
  const check = d => { if (!smoke && times === 1 && d.getText() !== endContent) fail(id, 'wrong end content') }
  let kept = null
  const work = () => {
    kept?.free()
    const d = adapter.create(() => {})
    for (let k = 0; k < times; k++) {
      for (let i = 0; i < edits.length; i++) {
        const e = edits[i]
        if ((i & 1023) === 0) checkDeadline()
        if (e[1] > 0) d.deleteText(e[0], e[1])
        if (e[2].length > 0) d.insertText(e[0], e[2])
      }
    }
    check(d)
    kept = d
  }
  // B4x100 runs once (as in the suite): one run takes minutes for most systems.
  const t = times === 1 ? timeOrLimit(warmups, runs, work) : timeOrLimit(0, 1, work)
  if (t.timedOut) {
    kept?.free()
    emit(id, { time: t, updateSize: null, docSize: null, encode: null, parse: null, memory: null })
    return
  }
  const m = times === 1
    ? stateMetrics(id, kept, check, smoke ? undefined : { text: endContent })
    : (() => {
        const state = kept.encode()
        const encode = time(0, 1, () => kept.encode())
        const parse = time(0, 1, () => adapter.load(state).free())
        return { docSize: state.length, encode, parse, memory: smoke ? null : retainedHeap(system, state) }
      })()
  kept.free()
  emit(id, { time: t, updateSize: null, ...m })
}

// One system failing one benchmark does not stop the table: the orchestrator shows the error in its place.
const run = (id, f) => {
  if (!wanted(id)) return
  try {
    f()
  } catch (e) {
    emit(id, { error: String(e.message ?? e) })
    if (smoke) process.exitCode = 1
  }
}
for (const [id, input] of Object.entries(inputs.benchmarks)) run(id, () => id.startsWith('B1') ? b1(id, input) : b2(id, input))
const sqrtN = inputs.sqrtN
run('B3.1', () => b3('B3.1', (d, i) => d.setMap('v', i), getMap))
run('B3.2', () => b3('B3.2', (d, i) => d.setMap('v', { name: i.toString(), address: 'here' }), getMap))
run('B3.3', () => b3('B3.3', (d, i) => d.setMap('v', i.toString().repeat(sqrtN)), getMap))
run('B3.4', () => b3('B3.4', (d, i) => d.insertArray(0, [i.toString()]), getArray))
run('B3.5', () => b3('B3.5', (d, i) => d.insertText(0, i.toString()), getText))
run('B4', () => b4('B4', 1))
run('B4x100', () => b4('B4x100', 100))
