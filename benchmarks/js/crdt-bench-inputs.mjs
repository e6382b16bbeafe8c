// The inputs of the crdt-benchmarks suite (dmonad/crdt-benchmarks, js-lib/b1.js, b2.js, b3.js): generated here
// once, with the suite's generator (lib0's PRNG, seed 42, drawn in the suite's order), and written as JSON for
// crdt-bench.mjs and CrdtBench.java, so that every system gets exactly the same input.
//   node crdt-bench-inputs.mjs OUT_FILE
// An input item is a list of operations, each its own transaction unless a benchmark wraps them:
// ["ti", index, string] inserts text, ["td", index, length] deletes text, ["ai", index, [values]] inserts into the array.
import * as prng from 'lib0/prng'
import { writeFileSync } from 'node:fs'

export const N = 6000
const gen = prng.create(42)

// b2.js draws its initial text when the suite's modules load, before any benchmark runs.
const initText = prng.word(gen, 100, 100)
const b = {}

const textItems = ops => ops.map(op => [op])

/** N words of minLength to maxLength characters, each inserted at a random position of the text so far. */
const randomInserts = (randomInt, start, minLength, maxLength) => {
  let string = start
  const ops = []
  for (let i = 0; i < N; i++) {
    const index = randomInt(gen, 0, string.length)
    const insert = prng.word(gen, minLength, maxLength)
    string = string.slice(0, index) + insert + string.slice(index)
    ops.push(['ti', index, insert])
  }
  return { items: textItems(ops), text: string, ops }
}
const b1Input = ({ items, text }) => ({ items, text })
{
  const string = prng.word(gen, N, N)
  b['B1.1'] = { items: string.split('').map((c, i) => [['ti', i, c]]), text: string }
}
{
  const string = prng.word(gen, N, N)
  b['B1.2'] = { items: [[['ti', 0, string]]], text: string }
}
{
  const string = prng.word(gen, N, N)
  const reversed = string.split('').reverse()
  b['B1.3'] = { items: reversed.map(c => [['ti', 0, c]]), text: string }
}
b['B1.4'] = b1Input(randomInserts(prng.int32, '', 1, 1))
b['B1.5'] = b1Input(randomInserts(prng.int32, '', 2, 10))
{
  const string = prng.word(gen, N, N)
  b['B1.6'] = { items: [[['ti', 0, string], ['td', 0, string.length]]], text: '' }
}
{
  let string = ''
  const ops = []
  for (let i = 0; i < N; i++) {
    const index = prng.uint32(gen, 0, string.length)
    if (string.length === index || prng.bool(gen)) {
      const insert = prng.word(gen, 2, 10)
      string = string.slice(0, index) + insert + string.slice(index)
      ops.push(['ti', index, insert])
    } else {
      const deleteCount = prng.uint32(gen, 1, Math.min(9, string.length - index))
      string = string.slice(0, index) + string.slice(index + deleteCount)
      ops.push(['td', index, deleteCount])
    }
  }
  b['B1.7'] = { items: textItems(ops), text: string }
}
{
  const numbers = Array.from({ length: N }).map(() => prng.uint32(gen, 0, 0x7fffffff))
  b['B1.8'] = { items: numbers.map((x, i) => [['ai', i, [x]]]), array: numbers }
}
{
  const numbers = Array.from({ length: N }).map(() => prng.uint32(gen, 0, 0x7fffffff))
  b['B1.9'] = { items: [[['ai', 0, numbers]]], array: numbers }
}
{
  const numbers = Array.from({ length: N }).map(() => prng.uint32(gen, 0, 0x7fffffff))
  b['B1.10'] = { items: numbers.map(x => [['ai', 0, [x]]]), array: numbers.slice().reverse() }
}
{
  const numbers = []
  const items = []
  for (let i = 0; i < N; i++) {
    const index = prng.uint32(gen, 0, numbers.length)
    const insert = prng.uint32(gen, 0, 0x7fffffff)
    numbers.splice(index, 0, insert)
    items.push([['ai', index, [insert]]])
  }
  b['B1.11'] = { items, array: numbers }
}

// B2: two documents that start from the same text edit concurrently, each in one transaction.
{
  b['B2.1'] = { ops1: [['ti', 0, prng.word(gen, N, N)]], ops2: [['ti', 0, prng.word(gen, N, N)]], length: N * 2 + 100 }
}
b['B2.2'] = { ops1: randomInserts(prng.uint32, initText, 1, 1).ops, ops2: randomInserts(prng.uint32, initText, 1, 1).ops, length: N * 2 + 100 }
b['B2.3'] = { ops1: randomInserts(prng.uint32, initText, 3, 9).ops, ops2: randomInserts(prng.uint32, initText, 3, 9).ops }
{
  const genInput = () => {
    let str = initText
    const ops = []
    for (let i = 0; i < N; i++) {
      const index = prng.uint32(gen, 0, str.length)
      const insert = prng.word(gen, 3, 9)
      str = str.slice(0, index) + insert + str.slice(index)
      ops.push(['ti', index, insert])
      if (str.length === index || prng.bool(gen)) {
        const insert = prng.word(gen, 2, 10)
        str = str.slice(0, index) + insert + str.slice(index)
        ops.push(['ti', index, insert])
      } else {
        const deleteCount = prng.uint32(gen, 1, Math.min(9, str.length - index))
        str = str.slice(0, index) + str.slice(index + deleteCount)
        ops.push(['td', index, deleteCount])
      }
    }
    return ops
  }
  b['B2.4'] = { ops1: genInput(), ops2: genInput() }
}

writeFileSync(process.argv[2], JSON.stringify({ n: N, sqrtN: Math.floor(Math.sqrt(N)) * 20, initText, benchmarks: b }))
