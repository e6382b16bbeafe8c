// Runs the Java and the Yjs trace replays one after the other on this machine and writes benchmarks/RESULTS.md.
// Use run-peers.sh (it builds first). Options: --runs N (default 10), --trace NAME.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const traces = `${root}testdata/traces`
const lines = out => out.split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l))

const java = lines(execFileSync('java', ['-Xmx2g', `-Dtraces.dir=${traces}`, '-cp', `${here}target/benchmarks.jar`,
  'ai.candlefish.collab.benchmarks.TraceReplay', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }))
const yjs = lines(execFileSync('node', ['--expose-gc', 'trace-replay.mjs', '--traces', traces, ...args],
  { cwd: `${here}js`, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }))

const javaVersion = execFileSync('java', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).toString()
let javaV = ''
try { execFileSync('java', ['-version'], { stdio: ['ignore', 'ignore', 'pipe'] }) } catch {}
javaV = execFileSync('sh', ['-c', 'java -version 2>&1 | head -1'], { encoding: 'utf8' }).trim()
const fmt = t => `${t.median.toFixed(1)} (${t.min.toFixed(1)}–${t.max.toFixed(1)})`
const ratio = (a, b) => (a.median / b.median).toFixed(1) + '×'
const kb = b => b === null || b <= 0 ? 'n/a' : (b / 1024).toFixed(0) + ' KiB'

let md = `# Benchmark results

Whole-trace replays of the real editing traces in \`testdata/traces\`, collab-core (Java) side by side with
Yjs ${yjs[0]?.system.split(' ')[1]} (Node) on the same machine, in the same run. Times in milliseconds: median
(min–max) of the measured runs after warm-up runs. "per txn" replays with one transaction per trace transaction
and collects every update's bytes; "one txn" replays the whole trace in one transaction; "encode" encodes the
final document; "load" applies that state to a fresh document; "heap" is the heap retained by a loaded
document (after full GCs). The ratio is Yjs's time divided by ours.

Reproduce: \`benchmarks/run-peers.sh\` (${args.length ? args.join(' ') : 'default: 10 runs'}).

Machine: ${cpus().length} cores, ${cpus()[0]?.model}; ${javaV}; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}.
Shared and noisy: read the ratios, not the absolute figures.

| trace | edits | per txn: ours | per txn: Yjs | ratio | one txn: ours | one txn: Yjs | ratio | encode: ours / Yjs | load: ours / Yjs | heap: ours / Yjs | update bytes (both) | state bytes (both) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
`
for (const j of java) {
  const y = yjs.find(r => r.trace === j.trace)
  const same = (a, b) => a === b ? `${a}` : `**${a} vs ${b}**`
  md += `| ${j.trace} | ${j.edits} | ${fmt(j.replayPerTxn)} | ${fmt(y.replayPerTxn)} | ${ratio(y.replayPerTxn, j.replayPerTxn)} `
    + `| ${fmt(j.replayOneTxn)} | ${fmt(y.replayOneTxn)} | ${ratio(y.replayOneTxn, j.replayOneTxn)} `
    + `| ${j.encode.median.toFixed(2)} / ${y.encode.median.toFixed(2)} | ${j.load.median.toFixed(1)} / ${y.load.median.toFixed(1)} `
    + `| ${kb(j.heapBytes)} / ${kb(y.heapBytes)} | ${same(j.updateBytes, y.updateBytes)} | ${same(j.stateBytes, y.stateBytes)} |\n`
}
md += `
Update and state sizes are the same in both systems when a single number is shown (the bytes are identical:
collab-core is wire-compatible with Yjs; the interop tests check the bytes themselves).

JMH (hot paths, allocation with \`-prof gc\`): \`java -Dtraces.dir=testdata/traces -jar benchmarks/target/benchmarks.jar TraceReplayBenchmark -prof gc\`.
`
writeFileSync(`${here}RESULTS.md`, md)
process.stdout.write(md)
