// Runs collab-core (Java) and the peers (Yjs, ywasm, Loro, Automerge, json-joy; Node) one after another on this
// machine, on the real traces and the crdt-benchmarks suite; prints one table per workload and writes them into
// benchmarks/RESULTS.md between the CRDT markers (the rest of the file is left alone; not for --bench or --trace). Use run-peers.sh (it builds
// first). Options: --runs N (default 5), --only traces|crdt, --trace NAME, --bench ID,ID, --systems a,b, --b4x100,
// --merge (with --bench or --trace: this run's rows replace the same systems' rows of the last raw results, and
// RESULTS.md is written with them), --render (no runs: the tables again from the last raw results). RUN_LIMIT_S
// (default 120) stops a longer run.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt }
const runs = opt('--runs', '5')
const only = opt('--only', null)
const traceArg = opt('--trace', null)
const benchArg = opt('--bench', null)
const b4x100 = args.includes('--b4x100')
const PEERS = ['yjs', 'ywasm', 'loro', 'automerge', 'json-joy']
const peers = opt('--systems', PEERS.join(',')).split(',')
const shown = PEERS // the tables always have every peer's column
const traces = `${root}testdata/traces`
const inputs = `${here}target/crdtbench-inputs.json`
const jar = `${here}target/benchmarks.jar`
const log = s => process.stderr.write(`[run-peers] ${new Date().toISOString().slice(11, 19)} ${s}\n`)

const jsonLines = out => out.split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l))
const run = (cmd, argv, cwd) => {
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 })
  if (r.status !== 0) log(`${cmd} ${argv.join(' ')} exited with ${r.status}`)
  return jsonLines(r.stdout ?? '')
}

const renderOnly = args.includes('--render') // only redo the tables from target/peers-*.json
// A run of some benchmarks or traces prints its tables but keeps RESULTS.md and the raw results as they are: written,
// it would blank every row it did not run. With --merge its rows go into the last raw results instead (a row that
// takes many minutes per system, B4x100, run on its own), and the tables say when those rows ran.
const merge = args.includes('--merge')
const partial = benchArg !== null || traceArg !== null
if (merge && !partial) {
  process.stderr.write('run-peers: --merge needs --bench or --trace (a whole part replaces the raw results anyway)\n')
  process.exit(2)
}
mkdirSync(`${here}target`, { recursive: true })
if (!renderOnly) execFileSync('node', ['crdt-bench-inputs.mjs', inputs], { cwd: `${here}js` })

// Each part's raw results are kept in target/peers-<part>.json; with --only, the other part comes from its file as
// it is when this run ends, so that a long run can be taken in two halves (even at once); RESULTS.md says when
// each part ran.
const partFile = part => `${here}target/peers-${part}.json`
// The JVM's heap committed and touched up front: with only -Xmx, G1 grows (and after the retained-heap
// measurement's full GCs shrinks) the heap, and the benchmark thread then pays the kernel's page faults on every
// newly committed region, in its own CPU time; CrdtBench's B1.11 ran at 30-45 ms in such phases instead of 6-8
// (page-fault time shows as system time; gone with a pre-touched heap; RESULTS.md, crdt-apply).
const javaHeap = ['-Xms3g', '-Xmx3g', '-XX:+AlwaysPreTouch']
const results = { traces: [], crdt: [], when: {}, merged: { traces: [], crdt: [] } }
const now = () => new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC'
if (only !== 'crdt' && !renderOnly) {
  results.when.traces = now()
  const traceOpts = ['--runs', runs, ...(traceArg ? ['--trace', traceArg] : [])]
  log('traces: collab-core')
  results.traces.push(...run('java', [...javaHeap, `-Dtraces.dir=${traces}`, '-cp', jar,
    'ai.candlefish.collab.benchmarks.TraceReplay', ...traceOpts]))
  for (const s of peers) {
    for (const t of traceArg ? [traceArg] : ['automerge-paper', 'seph-blog1', 'rustcode', 'sveltecomponent']) {
      log(`traces: ${s} ${t}`) // one process per trace: a fresh heap, and a slow system's trace stands alone
      results.traces.push(...run('node', ['--expose-gc', '--max-old-space-size=4096', 'trace-replay.mjs', '--system', s,
        '--traces', traces, '--runs', runs, '--trace', t], `${here}js`))
    }
  }
}
if (only !== 'traces' && !renderOnly) {
  results.when.crdt = now()
  const benchOpts = ['--inputs', inputs, '--runs', runs, ...(benchArg ? ['--only', benchArg] : []), ...(b4x100 ? ['--b4x100'] : [])]
  log('crdt-benchmarks: collab-core')
  results.crdt.push(...run('java', [...javaHeap, `-Dtraces.dir=${traces}`, '-cp', jar,
    'ai.candlefish.collab.benchmarks.crdtbench.CrdtBench', ...benchOpts]))
  for (const s of peers) {
    log(`crdt-benchmarks: ${s}`)
    results.crdt.push(...run('node', ['--expose-gc', '--max-old-space-size=4096', 'crdt-bench.mjs', '--system', s,
      '--traces', traces, ...benchOpts], `${here}js`))
  }
}
// A row of a part: a system's benchmark or trace (a merged run replaces exactly these).
const rowKey = r => `${r.system}\u0000${r.id ?? r.trace}`
for (const part of ['traces', 'crdt']) {
  const ranPart = !renderOnly && (only === null || only === part) && (part === 'traces' ? traceArg !== null : benchArg !== null)
  if (merge && ranPart) {
    if (!existsSync(partFile(part))) {
      process.stderr.write(`run-peers: --merge found no ${partFile(part)} (run the whole part once first)\n`)
      process.exit(2)
    }
    const kept = JSON.parse(readFileSync(partFile(part), 'utf8'))
    const ran = new Set(results[part].map(rowKey))
    const rows = [...new Set(results[part].map(r => r.id ?? r.trace))]
    const systems = [...new Set(results[part].map(r => r.system))]
    const text = `${rows.join(', ')} ran ${results.when[part]} (${systems.join(', ')}: \`benchmarks/run-peers.sh${args.map(a => ' ' + a).join('')}\`)`
    const keys = results[part].map(rowKey)
    results[part] = [...kept.results.filter(r => !ran.has(rowKey(r))), ...results[part]]
    results.when[part] = kept.when
    // An earlier merge whose rows this run replaced entirely no longer describes the tables.
    results.merged[part] = [...(kept.merged ?? []).filter(m => !m.keys.every(k => ran.has(k))), { keys, text }]
    writeFileSync(partFile(part), JSON.stringify({ when: results.when[part], results: results[part], merged: results.merged[part] }))
  } else if (!renderOnly && !partial && (only === null || only === part)) {
    if (opt('--systems', null) && existsSync(partFile(part))) {
      // A run of some systems keeps the other systems' results of the previous run of this part.
      const kept = JSON.parse(readFileSync(partFile(part), 'utf8'))
      const ran = new Set(['collab-core', ...peers])
      results[part].push(...kept.results.filter(r => !ran.has(r.system)))
      results.when[part] += ` (${[...ran].join(', ')}; the others ${kept.when})`
    }
    writeFileSync(partFile(part), JSON.stringify({ when: results.when[part], results: results[part] }))
  } else if (existsSync(partFile(part))) {
    const kept = JSON.parse(readFileSync(partFile(part), 'utf8'))
    results[part] = kept.results
    results.when[part] = kept.when
    results.merged[part] = kept.merged ?? []
  }
}

// ---- the tables ----
const SYSTEMS = ['collab-core', ...shown]
const versions = {}
for (const r of [...results.traces, ...results.crdt]) if (r.version) versions[r.system] = r.version
const label = s => s === 'collab-core' ? `**ours** (collab-core ${versions[s] ?? ''})` : `${s} ${versions[s] ?? ''}`
const foot = new Map()
const note = text => { if (!foot.has(text)) foot.set(text, foot.size + 1); return `<sup>${foot.get(text)}</sup>` }
const SINGLE = 'a single run: one run took more than 10 s, so it is the only one (and a warm-up in itself).'

const LIMIT = 'stopped: one run took longer than this limit (RUN_LIMIT_S), so there is no figure, nor a final state to encode, load or weigh (n/a).'
const fmtMs = t => {
  if (t == null) return 'n/a'
  if (t.timedOut) return `> ${t.timedOut} s${note(LIMIT)}`
  const d = t.median >= 100 ? 0 : t.median >= 1 ? 1 : 2
  const f = x => x.toFixed(d)
  return (t.runs === 1 ? `${f(t.median)}${note(SINGLE)}` : `${f(t.median)} (${f(t.min)}–${f(t.max)})`)
}
const fmtKiB = h => h == null ? 'n/a' : `${(h.median / 1024).toFixed(0)}`
const fmtBytes = b => b == null ? 'n/a' : `${b}`
const value = x => x == null || x.timedOut ? null : typeof x === 'number' ? x : x.median

/**
 * Ratio cells: how many times better ours is (other / ours, lower being better), against Yjs and the best peer. A
 * system stopped at the run limit took longer than the limit, so against it the ratio is at least limit / ours
 * ("> n×"); it is the best peer only when no peer finished.
 */
const ratios = (cells) => {
  const ours = value(cells['collab-core'])
  const stopped = x => x?.timedOut ? x.timedOut * 1000 : null // the limit, in the time figures' ms
  let best = null
  for (const s of shown) {
    const v = value(cells[s])
    if (v != null && v > 0 && (best === null || v < best.v)) best = { s, v }
  }
  if (best === null) {
    for (const s of shown) {
      const v = stopped(cells[s])
      if (v != null && (best === null || v < best.v)) best = { s, v, above: true }
    }
  }
  const r = (other, above) => ours == null || other == null || ours <= 0 ? 'n/a' : `${above ? '> ' : ''}${(other / ours).toFixed(other / ours >= 10 ? 0 : other / ours >= 0.095 ? 1 : 2)}×`
  const yjs = value(cells.yjs)
  return [yjs != null ? r(yjs) : r(stopped(cells.yjs), true), best === null ? 'n/a' : `${r(best.v, best.above)} (${best.s})`]
}

const table = (title, intro, rows, forSystem) => {
  let md = `### ${title}\n\n${intro ? intro + '\n\n' : ''}| figure | ${SYSTEMS.map(label).join(' | ')} | ours vs Yjs | ours vs best peer |\n`
  md += `| --- | ${SYSTEMS.map(() => '---:').join(' | ')} | ---: | ---: |\n`
  for (const [name, pick, fmt] of rows) {
    const cells = {}
    const shown = SYSTEMS.map(s => {
      const r = forSystem(s)
      if (r === undefined) return 'not run'
      if (r.error) return `failed${note(`${s}: ${r.error}`)}`
      cells[s] = pick(r)
      return fmt(cells[s])
    })
    md += `| ${name} | ${shown.join(' | ')} | ${ratios(cells).join(' | ')} |\n`
  }
  return md + '\n'
}

const summary = []
let tracesMd = ''
for (const t of traceArg ? [traceArg] : ['automerge-paper', 'seph-blog1', 'rustcode', 'sveltecomponent']) {
  const by = s => results.traces.find(r => r.system === s && r.trace === t)
  const any = SYSTEMS.map(by).find(r => r && !r.error)
  if (!any) continue
  tracesMd += table(`Trace ${t}`, `${any.edits.toLocaleString('en')} edits in ${any.txns.toLocaleString('en')} transactions; times in ms, median (min–max).`, [
    ['replay, one transaction per trace transaction, collecting every update (ms)', r => r.replayPerTxn, fmtMs],
    ['replay as one transaction (ms)', r => r.replayOneTxn, fmtMs],
    ['encode the final state (ms)', r => r.encode, fmtMs],
    ['load the state into a fresh document (ms)', r => r.load, fmtMs],
    ['retained heap of the loaded document (KiB)', r => r.heap, fmtKiB],
    ['bytes of all updates', r => r.updateBytes, fmtBytes],
    ['bytes of the encoded state', r => r.stateBytes, fmtBytes]
  ], by)
  summary.push([`trace ${t}, one txn per trace txn`, SYSTEMS.map(s => by(s)?.error ? null : by(s)?.replayPerTxn)])
  summary.push([`trace ${t}, one txn`, SYSTEMS.map(s => by(s)?.error ? null : by(s)?.replayOneTxn)])
}

const TITLES = {
  'B1.1': 'Append N characters', 'B1.2': 'Insert string of length N', 'B1.3': 'Prepend N characters',
  'B1.4': 'Insert N characters at random positions', 'B1.5': 'Insert N words at random positions',
  'B1.6': 'Insert string, then delete it', 'B1.7': 'Insert/Delete strings at random positions',
  'B1.8': 'Append N numbers', 'B1.9': 'Insert Array of N numbers', 'B1.10': 'Prepend N numbers',
  'B1.11': 'Insert N numbers at random positions',
  'B2.1': 'Concurrently insert string of length N at index 0', 'B2.2': 'Concurrently insert N characters at random positions',
  'B2.3': 'Concurrently insert N words at random positions', 'B2.4': 'Concurrently insert & delete',
  'B3.1': '20√N clients concurrently set number in Map', 'B3.2': '20√N clients concurrently set Object in Map',
  'B3.3': '20√N clients concurrently set String in Map', 'B3.4': '20√N clients concurrently insert text in Array',
  'B3.5': '20√N clients concurrently insert text', 'B4': 'Apply real-world editing dataset (automerge-paper)',
  'B4x100': 'Apply real-world editing dataset 100 times'
}
let crdtMd = ''
const ids = [...new Set(results.crdt.map(r => r.id))]
for (const id of Object.keys(TITLES).filter(i => ids.includes(i))) {
  const by = s => results.crdt.find(r => r.system === s && r.id === id)
  const sizeName = id.startsWith('B1') ? 'average update (bytes per change)' : id.startsWith('B2') ? 'updates (bytes, half of both sides)' : 'all updates (bytes)'
  crdtMd += table(`[${id}] ${TITLES[id]}`, '', [
    ['time (ms)', r => r.time, fmtMs],
    ...(id.startsWith('B4') ? [] : [[sizeName, r => r.updateSize, fmtBytes]]),
    ['encode time (ms)', r => r.encode, fmtMs],
    ['doc size (bytes)', r => r.docSize, fmtBytes],
    ['parse time (ms)', r => r.parse, fmtMs],
    ['memory: retained heap of the parsed document (KiB)', r => r.memory, fmtKiB]
  ], by)
  summary.push([`[${id}] ${TITLES[id]}`, SYSTEMS.map(s => by(s)?.error ? null : by(s)?.time)])
}

let summaryMd = `| workload (time, ms) | ${SYSTEMS.map(label).join(' | ')} | ours vs Yjs | ours vs best peer |\n| --- | ${SYSTEMS.map(() => '---:').join(' | ')} | ---: | ---: |\n`
for (const [name, values] of summary) {
  const cells = Object.fromEntries(SYSTEMS.map((s, i) => [s, values[i]]))
  summaryMd += `| ${name} | ${values.map(v => v == null ? 'n/a' : v.timedOut ? `> ${v.timedOut} s` : (v.median >= 100 ? v.median.toFixed(0) : v.median.toFixed(1))).join(' | ')} | ${ratios(cells).join(' | ')} |\n`
}

const reproduceArgs = args.filter((a, i) => a !== '--render' && a !== '--only' && args[i - 1] !== '--only').map(a => ' ' + a).join('')
const mergedMd = ['traces', 'crdt'].flatMap(p => results.merged[p]).map(m => ' Rows run on their own and merged in (--merge): ' + m.text + '.').join('')
const hasB4x100 = results.crdt.some(r => r.id === 'B4x100')
const javaV = execFileSync('sh', ['-c', 'java -version 2>&1 | head -1'], { encoding: 'utf8' }).trim()
const encodings = {}
for (const r of results.traces) if (r.encoding) encodings[r.system] = r.encoding
const footnotes = [...foot.entries()].map(([text, n]) => `${n}. ${text}`).join('\n')
const file = `${here}RESULTS.md`
const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n'
// A merged run reproduces a few rows and --render none, not the tables: the whole run's command stays as RESULTS.md
// has it.
const reproduce = ((merge || renderOnly) && /^Reproduce: `([^`]*)`/m.exec(old)?.[1]) || `benchmarks/run-peers.sh${reproduceArgs}`
const md = `<!-- crdt:begin (written by benchmarks/run-peers.sh; edit run-peers.mjs, not this section) -->
## CRDT: collab-core side by side with Yjs, ywasm, Loro, Automerge and json-joy

Reproduce: \`${reproduce}\` (one command: builds, then runs collab-core in Java and
each peer in Node, one after another, on this machine).

Machine: ${cpus().length} cores, ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${javaV}; Node ${process.version};
traces run ${results.when.traces ?? 'not in this run'}, crdt-benchmarks run ${results.when.crdt ?? 'not in this run'}.${mergedMd} Shared with other engineers' builds and noisy: read the ratios of one run, not the absolute figures.

Versions: ${SYSTEMS.map(s => `${s} ${versions[s] ?? '?'}`).join(', ')}.

**How to read**: times are medians of whole runs after warm-up runs (until run times settle: benchmarks/js/measure.mjs, Measure.java), with (min–max); "ours vs X" is X's figure divided by
ours, so above 1× we are faster (or smaller), below 1× slower; the best peer is the best of ${shown.join(', ')} on that row.

**How it is measured**
- Every system gets the same work through a small adapter (benchmarks/js/adapters, one per peer; CrdtBench.java and
  TraceReplay.java for ours): the same edits, one transaction per trace transaction (or per change, where the
  suite says so), every update's bytes collected, the same checks of the final content.
- **Retained heap**: the heap that a loaded document keeps. Copies of the encoded state are loaded in 5 rounds, every
  copy kept reachable, and each round's growth of the used heap after full GCs (Java: \`System.gc()\` until the used
  heap stops falling, read from the MemoryMXBean; Node: \`--expose-gc\`, six \`gc()\` calls, \`heapUsed\`) is divided by
  the round's copies; the table gives the median of the rounds. In Node this runs in a fresh process and adds the
  WebAssembly linear memory of ywasm, Loro and Automerge (which \`heapUsed\` does not see, and which never shrinks, so
  that a used process would reuse freed pages without growing). Each loaded copy is read (text, array, map) first,
  so that lazy loaders build the document.
- **Encodings**: ours, Yjs and ywasm write Yjs update V1, byte for byte the same format; ${['loro', 'automerge', 'json-joy'].filter(s => encodings[s]).map(s => `${s}: ${encodings[s]}`).join('; ')}.
  crdt-benchmarks itself encodes Yjs with update V2; we use V1, the format of the Yjs wire protocol (and the one collab-core speaks).
- **Peers' APIs**: ywasm through explicit transactions; Loro commits per transaction and hands the update to
  \`subscribeLocalUpdates\`, its state is \`export({mode: 'snapshot'})\`; Automerge through the document's WebAssembly handle
  (\`getBackend\`: \`splice\`, \`commit\`, \`saveIncremental\`), which is several times faster than \`Automerge.change\`; json-joy
  through \`StrApi.ins/del\` with one flushed patch per transaction.
- **crdt-benchmarks** (dmonad/crdt-benchmarks, N = 6000): the suite's definitions and inputs (its generator, seed 42, in
  its order; benchmarks/js/crdt-bench-inputs.mjs writes them once for every system); B4 is the automerge-paper trace,
  each edit its own transaction. The suite runs each benchmark once; we take medians of several runs.${hasB4x100 ? ' B4x100 (the trace applied 100 times to one document) runs once per system, as in the suite.' : ' B4x100 is not in this run (add --b4x100: it takes many minutes per peer).'}

### Summary

${summaryMd}
${tracesMd}${crdtMd}${footnotes ? footnotes + '\n\n' : ''}<!-- crdt:end -->
`
const begin = old.indexOf('<!-- crdt:begin')
const end = old.indexOf('<!-- crdt:end -->')
const next = begin >= 0 && end > begin
  ? old.slice(0, begin) + md + old.slice(end + '<!-- crdt:end -->\n'.length)
  : old.trimEnd() + '\n\n' + md
if (partial && !merge) {
  log('--bench or --trace: RESULTS.md and the raw results are left as they were; the tables below are this run\'s')
} else {
  writeFileSync(file, next)
}
process.stdout.write(md)
