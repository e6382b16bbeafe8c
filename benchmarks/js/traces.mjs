// Loads a trace of testdata/traces (format in its README), converting code-point positions to the UTF-16
// positions that every system here counts (astral characters count twice), as Trace.java does.
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

export const TRACE_NAMES = ['automerge-paper', 'seph-blog1', 'rustcode', 'sveltecomponent']
export const defaultTracesDir = fileURLToPath(new URL('../../testdata/traces/', import.meta.url))

export const loadTrace = (dir, name) => {
  const json = JSON.parse(gunzipSync(readFileSync(`${dir}/${name}.json.gz`)).toString('utf8'))
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
