// What the harnesses share: the timing loop, full GCs, the WebAssembly memory that some peers keep their documents
// in, and the retained heap of a loaded document, measured in a fresh process.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const memories = new Set()
const collect = exports => {
  for (const v of Object.values(exports ?? {})) if (v instanceof WebAssembly.Memory) memories.add(v)
}

/**
 * Records every WebAssembly memory that a module instantiates from now on; call before importing an adapter.
 * ywasm, Loro and Automerge keep their documents in WebAssembly linear memory, which V8's heapUsed does not count.
 */
export const watchWasmMemory = () => {
  const Instance = WebAssembly.Instance
  const Wrapped = function (module, imports) {
    const instance = new Instance(module, imports)
    collect(instance.exports)
    return instance
  }
  Wrapped.prototype = Instance.prototype
  WebAssembly.Instance = Wrapped
  const instantiate = WebAssembly.instantiate
  WebAssembly.instantiate = async (...args) => {
    const result = await instantiate(...args)
    collect((result.instance ?? result).exports)
    return result
  }
  const Memory = WebAssembly.Memory
  const WrappedMemory = function (descriptor) {
    const memory = new Memory(descriptor)
    memories.add(memory)
    return memory
  }
  WrappedMemory.prototype = Memory.prototype
  WebAssembly.Memory = WrappedMemory
}

/** Bytes of WebAssembly linear memory (it only grows: a page once taken stays). */
export const wasmBytes = () => { let n = 0; for (const m of memories) n += m.buffer.byteLength; return n }

export const fullGc = () => {
  if (!global.gc) throw new Error('run node with --expose-gc')
  for (let i = 0; i < 6; i++) global.gc()
}

/** JavaScript heap in use plus WebAssembly linear memory, after full GCs. */
export const usedBytes = () => { fullGc(); return process.memoryUsage().heapUsed + wasmBytes() }

/**
 * {median, min, max, runs} in ms of `runs` runs after a warm-up, if `warmups` > 0: at least `warmups` runs and a
 * second of the process's CPU time, then until run times settle: for SETTLED_RUNS runs and at least a second, the
 * median CPU time of the last SETTLED_RUNS runs fell by no more than BETTER below its lowest value yet and is within
 * NEAR_BEST of it; at most 10 s of CPU time. The same rule as Measure.java's (which also waits for the JIT to go
 * quiet): counting CPU time and runs instead of wall time keeps a loaded machine from cutting the warm-up short. A
 * system whose single run takes long gets fewer runs, so that a whole table stays within minutes: past 10 s, the
 * first run is the only one (and is counted, a run that long being mostly steady state).
 */
export const time = (warmups, runs, work, budgetMs = 20000) => {
  const ms = []
  const once = () => {
    deadline = Date.now() + RUN_LIMIT_MS
    const t0 = process.hrtime.bigint()
    const measured = work() // a work that times only part of itself returns that part's milliseconds
    return typeof measured === 'number' ? measured : Number(process.hrtime.bigint() - t0) / 1e6
  }
  if (warmups > 0) {
    const cpuStart = process.cpuUsage()
    const cpuMs = () => { const u = process.cpuUsage(cpuStart); return (u.user + u.system) / 1000 }
    const first = once()
    if (first > budgetMs / 2) return { ...stats([first]), runs: 1 }
    const affordable = Math.floor(budgetMs / Math.max(first, 1e-3))
    runs = Math.max(1, Math.min(runs, affordable - 1))
    const recent = new Array(SETTLED_RUNS).fill(cpuMs())
    let recentMedian = Infinity
    let bestMedian = Infinity
    let run = 1
    let lastChange = 1
    let lastChangeAt = Date.now()
    while (cpuMs() < MAX_WARMUP_CPU_MS) {
      const settled = run >= warmups && cpuMs() >= MIN_WARMUP_CPU_MS && run - lastChange >= SETTLED_RUNS &&
        Date.now() - lastChangeAt >= SETTLED_WALL_MS && recentMedian <= bestMedian * NEAR_BEST
      if (settled) break
      const cpu0 = cpuMs()
      once()
      recent[run % SETTLED_RUNS] = cpuMs() - cpu0 // the process's CPU time: a loaded machine's waits are not work
      run++
      if (run >= SETTLED_RUNS) recentMedian = stats(recent).median
      if (recentMedian < bestMedian * (1 - BETTER)) { lastChange = run; lastChangeAt = Date.now() }
      bestMedian = Math.min(bestMedian, recentMedian)
    }
  }
  for (let i = 0; i < runs; i++) ms.push(once())
  deadline = Infinity
  return { ...stats(ms), runs }
}
const MIN_WARMUP_CPU_MS = 1000
const MAX_WARMUP_CPU_MS = 10000
const SETTLED_RUNS = 10
const SETTLED_WALL_MS = 1000
const BETTER = 0.02
const NEAR_BEST = 1.25

/** A single run longer than this is stopped: the figure is then "more than this", and what needs the run is n/a. */
export const RUN_LIMIT_MS = Number(process.env.RUN_LIMIT_S ?? 120) * 1000
let deadline = Infinity

export class TimeLimitExceeded extends Error {
  constructor () { super(`one run took more than ${RUN_LIMIT_MS / 1000} s`) }
}

/** Called by long loops every few hundred operations: stops a run past RUN_LIMIT_MS. */
export const checkDeadline = () => { if (Date.now() > deadline) { deadline = Infinity; throw new TimeLimitExceeded() } }

/** time(), but a run stopped at the limit gives {timedOut: seconds} instead of throwing. */
export const timeOrLimit = (...a) => {
  try {
    return time(...a)
  } catch (e) {
    if (e instanceof TimeLimitExceeded) return { timedOut: RUN_LIMIT_MS / 1000 }
    throw e
  } finally {
    deadline = Infinity
  }
}

export const stats = values => {
  const v = [...values].sort((a, b) => a - b)
  const mid = v.length / 2 // an even count's median is the mean of its middle two
  return { median: v.length % 2 ? v[Math.floor(mid)] : (v[mid - 1] + v[mid]) / 2, min: v[0], max: v[v.length - 1] }
}

/**
 * Retained heap of a document loaded from `state` with `system`, in bytes: {median, min, max} per copy. A fresh
 * Node process loads copies of the state in rounds, keeping every copy reachable, and measures each round's
 * growth after full GCs; a fresh process, because WebAssembly memory freed by earlier work would be reused
 * without growing.
 */
export const retainedHeap = (system, state, expect) => {
  const dir = mkdtempSync(join(tmpdir(), 'heap-'))
  try {
    writeFileSync(join(dir, 'state'), state)
    if (expect !== undefined) writeFileSync(join(dir, 'expect.json'), JSON.stringify(expect))
    const out = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096',
      fileURLToPath(new URL('./retained-heap.mjs', import.meta.url)), system, join(dir, 'state'),
      expect !== undefined ? join(dir, 'expect.json') : ''], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    if (out.status !== 0) throw new Error(`retained-heap.mjs ${system} failed (${out.status})`)
    return JSON.parse(out.stdout.trim().split('\n').pop())
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The installed version of an npm package of this folder (read from its package.json, which not all export). */
export const packageVersion = pkg =>
  JSON.parse(readFileSync(new URL(`./node_modules/${pkg}/package.json`, import.meta.url), 'utf8')).version
