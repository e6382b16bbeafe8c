// Writes the side-by-side server table of run-load.sh --peers (Markdown, on stdin) into benchmarks/RESULTS.md
// between the load-peers markers, with a summary derived from its rows. The rest of the file is left alone.
// Usage (run-load.sh does it): node write-load-results.mjs MACHINE WHEN < table
import { readFileSync, writeFileSync } from 'node:fs'

const [machine, when] = process.argv.slice(2)
const table = readFileSync(0, 'utf8').trim()

// Rows: | scenario | server (protocol) | connected | relay p50 / p99 / max | delivered/s | synced ... | CPU | RSS ... |
//       RSS per connection | errors | converged |
const rows = table.split('\n').slice(2).map((line) => {
  const c = line.split('|').slice(1, -1).map((s) => s.trim())
  const [p50, p99] = c[3].split(' / ').map(Number)
  const cpuPercent = Number(c[6].split(' / ')[1])
  return { scenario: c[0], server: c[1], p50, p99, delivered: Number(c[4]), rssPerConnection: Number(c[8]),
    errors: Number(c[9]), converged: c[10] === 'yes', connected: c[2], cpuPercent }
})
// A peak step offers 900 deliveries/s per edit/s (100 clients, 9 receivers each): it is held only if 95 % of them came
// (as run-load.sh decides whether the ladder goes on).
const offered = (r) => (r.scenario.startsWith('peak-') ? 900 * Number(r.scenario.slice(5)) : 0)
const held = (r) => r.errors === 0 && r.converged && !(r.p99 >= 100) &&
  (offered(r) === 0 || r.delivered >= 0.95 * offered(r))
const servers = [...new Set(rows.map((r) => r.server))]

const lines = []
for (const server of servers) {
  const mine = rows.filter((r) => r.server === server)
  const idle = mine.filter((r) => r.scenario.startsWith('idle-') && held(r))
  const top = idle.at(-1)
  const peak = mine.filter((r) => r.scenario.startsWith('peak-') && held(r))
    .reduce((best, r) => (best && best.delivered >= r.delivered ? best : r), null)
  // CPU time per delivered update where the server was busiest yet held: what an update costs the server.
  const cost = peak ? (peak.cpuPercent / 100 * 1e6 / peak.delivered).toFixed(0) : '–'
  lines.push(`| ${server} | ${top ? top.scenario.slice(5) : '–'} | ${top ? top.rssPerConnection : '–'} | ` +
    `${top && top.rssPerConnection > 0 ? Math.round(1048576 / top.rssPerConnection).toLocaleString('en') : '–'} | ` +
    `${peak ? `${peak.delivered.toLocaleString('en')} (${peak.scenario}, p99 ${peak.p99} ms)` : '–'} | ${cost} |`)
}

const ratio = (ours, theirs) => {
  const best = (server) => Math.max(0, ...rows.filter((r) => r.server === server && r.scenario.startsWith('peak-') &&
    held(r)).map((r) => r.delivered))
  const a = best(ours)
  const b = best(theirs)
  return a && b ? `${(a / b).toFixed(1)}×` : 'n/a'
}

const md = `<!-- load-peers:begin (written by benchmarks/run-load.sh --peers; edit js/write-load-results.mjs, not this section) -->
## Server load side by side: collab-netty, the y-websocket server and Hocuspocus

Reproduce: \`benchmarks/run-load.sh --peers\` (one command: builds, then for every scenario starts each server fresh
on loopback and drives it with the load generator in its own JVM; about 40 minutes; \`--peers idle\` runs one part,
\`--render\` rewrites this section from the logs in benchmarks/target/load).

Machine: ${machine}; runs ended ${when} (each run's machine load is in its log).
The servers and the load generator share the 2 cores; the machine is shared with other work: read the ratios of one
run.

Servers: collab-netty's CollabServer (LoadServer: in-memory store, default settings, G1, -Xmx2g, all cores);
@y/websocket-server 0.1.1 and @hocuspocus/server 4.7.0 (benchmarks/js/load-server.mjs: each as its README starts it,
no persistence, one Node process, as Node runs them: one core). collab-netty is measured in both client protocols:
y-websocket (the y-websocket server's) and Hocuspocus (Hocuspocus's). collab-netty also stores every update (its
in-memory store: debounced batches, merged; with the Hocuspocus protocol, a store before each acknowledgement),
work that the Node servers without persistence skip.

**How to read**: relay latency is from a client sending an update to another client having received it (one clock:
all clients are in the generator's JVM; a client applies what it received before its next edit, several updates in
one transaction); delivered updates/s counts receipts by other clients during the measured
phase (a server that sends an update back to its sender too, as both Node servers do, gets no credit for it); synced
is from the connect call to the arrival of the server's message that completes the initial sync (before the client
applies it); RSS is the server process's resident memory before the clients connect, once they are synced, and at
the end; RSS per connection is (connected − idle) / connections;
errors are failed or closed connections, protocol errors and updates a client never received; converged means every
client and the server ended with the same document. idle-N: N connections, one in 100 editing once a second (the
relay figures are theirs); peak-R: 100 clients on 10 documents editing R times a second each.

### Summary

| server (client protocol) | most idle connections held (p99 < 100 ms) | RSS per connection there (KiB) | connections per GiB | most delivered updates/s with p99 < 100 ms (step) | server CPU per delivered update there (µs) |
| --- | ---: | ---: | ---: | ---: | ---: |
${lines.join('\n')}

Delivered updates/s at p99 < 100 ms, collab-netty vs Hocuspocus (both in the Hocuspocus protocol):
${ratio('collab-netty (hocuspocus)', 'hocuspocus (hocuspocus)')}; collab-netty vs the y-websocket server (y-websocket protocol):
${ratio('collab-netty (y-websocket)', 'y-websocket-server (y-websocket)')}. A ladder stops at the first step a server
did not hold: p99 ≥ 100 ms, or less than 95 % of the deliveries offered delivered (peak-R offers 900·R deliveries/s:
100 clients × R × 9 receivers). A step that delivered less ran out of CPU: the server and the load generator (100
replicas applying every update) share the 2 cores, so a server that uses more CPU per update also slows the generator
down. On this machine the ladder measures the cost of an update as much as the server's ceiling.

### All runs

${table}
<!-- load-peers:end -->`

const file = new URL('../RESULTS.md', import.meta.url)
const old = readFileSync(file, 'utf8')
const begin = old.indexOf('<!-- load-peers:begin')
const endMarker = '<!-- load-peers:end -->'
let next
if (begin >= 0) {
  next = old.slice(0, begin) + md + old.slice(old.indexOf(endMarker) + endMarker.length)
} else {
  const at = old.indexOf('## Server load')
  next = at >= 0 ? old.slice(0, at) + md + '\n\n' + old.slice(at) : old + '\n' + md + '\n'
}
writeFileSync(file, next)
console.log('written: benchmarks/RESULTS.md (section "Server load side by side")')
