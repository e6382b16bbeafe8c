// The seconds-long smoke runs of the Node harnesses that the Maven build runs (phase verify, unless
// -Dbenchmarks.smoke.skip / -DskipTests), so that they cannot rot: every system through trace-replay.mjs and
// crdt-bench.mjs on small prefixes of the inputs, with the same checks as the real runs.
//   node smoke.mjs INPUTS_FILE TRACES_DIR
import { spawnSync } from 'node:child_process'

const [inputs, traces] = process.argv.slice(2)
let failed = 0
for (const system of ['yjs', 'ywasm', 'loro', 'automerge', 'json-joy']) {
  for (const argv of [
    ['trace-replay.mjs', '--smoke', '--system', system, '--traces', traces],
    ['crdt-bench.mjs', '--smoke', '--system', system, '--inputs', inputs, '--traces', traces]
  ]) {
    const r = spawnSync(process.execPath, ['--expose-gc', ...argv], { cwd: new URL('.', import.meta.url), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    const lines = (r.stdout ?? '').split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l))
    const errors = lines.filter(l => l.error)
    if (r.status !== 0 || errors.length > 0 || lines.length === 0) {
      failed++
      console.error(`[smoke] ${argv[0]} ${system}: FAILED (exit ${r.status}) ${errors.map(e => `${e.trace ?? e.id}: ${e.error}`).join('; ')}`)
    } else {
      console.log(`[smoke] ${argv[0]} ${system}: ${lines.length} results`)
    }
  }
}
process.exit(failed > 0 ? 1 : 0)
