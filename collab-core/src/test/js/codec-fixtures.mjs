// Generates ../resources/fixtures/codec/values.json with real lib0 (the version yjs 13.6.33 uses): for each value,
// lib0's writeAny bytes and JSON.stringify's text. Values are described in interop.mjs's tagged JSON.
// Also ../resources/fixtures/codec/rle.json: sequences and the bytes of lib0's column encoders for them (RleEncoder
// of bytes, UintOptRleEncoder, IntDiffOptRleEncoder, StringEncoder), which Yjs's update format v2 is made of.
//   node codec-fixtures.mjs          rewrite the fixtures
//   node codec-fixtures.mjs --check  exit 1 if the committed fixtures are stale
import * as encoding from 'lib0/encoding'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { tag } from './interop.mjs'

const out = fileURLToPath(new URL('../resources/fixtures/codec/values.json', import.meta.url))
const values = [
  null, undefined, true, false, 0, -0, 1, -1, 63, 64, -64, 127, 128, 2 ** 31 - 1, -(2 ** 31 - 1), 2 ** 31, -(2 ** 31),
  2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), 0.1, 0.5, 1.5, -2.25, 1e21, 1e-7, 0.000001, 123456789.125, 1.7976931348623157e308,
  5e-324, 3.4028234663852886e38, 1 / 3, NaN, Infinity, -Infinity, 100, 1e20, 2.5e-5, 9007199254740993,
  '', 'plain', 'quote " backslash \\ slash /', 'controls \b\f\n\r\t\u0001\u001f\u007f', 'emoji 😀 und ümlaut 日本',
  'lone \ud800 surrogate', 'lone \udc00 low', '\u2028\u2029',
  [], [1, 'two', null, undefined, [3, [4]]], {}, { b: 1, a: 2, 10: 'ten', 2: 'two', '-1': 'neg', '01': 'lead', x: undefined },
  { nested: { deep: [{ k: 'v' }] }, bool: false }, new Uint8Array([0, 1, 255]), 12345678901234567890n, -5n
]
const fixtures = values.map(v => {
  const enc = encoding.createEncoder()
  encoding.writeAny(enc, v)
  let json
  try {
    json = JSON.stringify(v) ?? null
  } catch {
    json = null
  }
  return { value: tag(v), any: Buffer.from(encoding.toUint8Array(enc)).toString('base64'), json }
})
const text = JSON.stringify(fixtures, null, 1) + '\n'

// A fixed linear congruential generator: the same sequences on every run.
let seed = 42
const next = n => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
const randomSeq = (len, f) => Array.from({ length: len }, f)
const rleOut = fileURLToPath(new URL('../resources/fixtures/codec/rle.json', import.meta.url))
const columns = {
  byteRle: [[], [5], [1, 1, 1], [1, 2, 2, 3, 3, 3], [0, 0, 255, 255, 0], randomSeq(300, () => next(3) * 40)],
  uintOptRle: [[], [0], [0, 0, 0], [5, 5, 0, 0, 7], [2 ** 32, 2 ** 32, 2 ** 53 - 1, 1], randomSeq(300, () => next(4) === 0 ? next(100000) : next(3))],
  intDiffOptRle: [[], [0], [0, 1, 2, 3], [5, 3, 1, -1, -3], [10, 10, 10], [2 ** 31 - 1, 0, 2 ** 31 - 1, 2 ** 40],
    randomSeq(300, (_, i) => i * (next(2) + 1) - next(50))],
  strings: [[], [''], ['a', 'bc', '', 'def'], ['😀', 'ü日本', 'x\ud83d', '\ude00y', 'lone \ud800', '\udc00 low'],
    randomSeq(100, () => 'abcdefghijklmnopqrstuvwxyzäö€😀'.slice(0, next(30)))]
}
const encoders = {
  byteRle: () => new encoding.RleEncoder(encoding.writeUint8),
  uintOptRle: () => new encoding.UintOptRleEncoder(),
  intDiffOptRle: () => new encoding.IntDiffOptRleEncoder(),
  strings: () => new encoding.StringEncoder()
}
const rle = {}
for (const [kind, seqs] of Object.entries(columns)) {
  rle[kind] = seqs.map(values => {
    const e = encoders[kind]()
    for (const v of values) e.write(v)
    const bytes = kind === 'byteRle' ? encoding.toUint8Array(e) : e.toUint8Array()
    return { values, bytes: Buffer.from(bytes).toString('base64') }
  })
}
const rleText = JSON.stringify(rle) + '\n'

if (process.argv.includes('--check')) {
  let old = null
  let oldRle = null
  try { old = readFileSync(out, 'utf8'); oldRle = readFileSync(rleOut, 'utf8') } catch {}
  process.exit(old === text && oldRle === rleText ? 0 : 1)
}
mkdirSync(fileURLToPath(new URL('../resources/fixtures/codec/', import.meta.url)), { recursive: true })
writeFileSync(out, text)
writeFileSync(rleOut, rleText)
