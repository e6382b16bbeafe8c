// Child process of measure.mjs's retainedHeap: node --expose-gc retained-heap.mjs SYSTEM STATE_FILE [EXPECT_FILE]
// Prints {"median":bytes,"min":bytes,"max":bytes} per loaded copy (JavaScript heap + WebAssembly memory).
import { readFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import { watchWasmMemory, usedBytes, stats } from './measure.mjs'

watchWasmMemory()
const [system, stateFile, expectFile] = process.argv.slice(2)
const adapter = await import(`./adapters/${system}.mjs`)
const state = new Uint8Array(readFileSync(stateFile))
const expect = expectFile ? JSON.parse(readFileSync(expectFile, 'utf8')) : null

// Reading the content makes lazy loaders (Loro decodes a snapshot's state on first access) build the document.
const touch = doc => ({ text: doc.getText(), array: doc.getArray(), map: doc.getMap() })
const t0 = Date.now()
const warm = adapter.load(state)
const seen = touch(warm)
const loadMs = Date.now() - t0
if (expect !== null) {
  for (const [k, v] of Object.entries(expect)) {
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(seen[k])), v)) throw new Error(`${system}: loaded ${k} differs from the expected content`)
  }
}

// As Measure.retainedHeap in Java: a state of many megabytes (B4x100) gets three rounds of one copy each, so that
// the copies fit in the heap and the rounds in minutes.
const large = state.length > 4_000_000
const rounds = large ? 3 : 5
// Enough copies per round to rise well above the noise (a megabyte of state), within about 15 s for all rounds.
const copies = large ? 1
  : Math.max(3, Math.min(200, Math.ceil(1e6 / state.length), Math.floor(15000 / rounds / Math.max(loadMs, 1))))
const kept = [warm]
const perCopy = []
for (let r = 0; r < rounds; r++) {
  const before = usedBytes()
  for (let i = 0; i < copies; i++) {
    const doc = adapter.load(state)
    touch(doc)
    kept.push(doc)
  }
  perCopy.push((usedBytes() - before) / copies)
}
console.log(JSON.stringify({ ...stats(perCopy).valueOf(), copies: kept.length }))
