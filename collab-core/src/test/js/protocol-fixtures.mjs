// Generates ../resources/fixtures/protocols/*.json with real y-protocols 1.0.7 (sync and awareness): the bytes
// the Java codecs must reproduce. Deterministic: fixed client ids and a fake clock.
//   node protocol-fixtures.mjs          rewrite the fixtures
//   node protocol-fixtures.mjs --check  exit 1 if the committed fixtures are stale
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const outDir = fileURLToPath(new URL('../resources/fixtures/protocols/', import.meta.url))
const b64 = bytes => Buffer.from(bytes).toString('base64')
const files = {}

// ---- sync: the messages a y-websocket client and server exchange for a small document
{
  const server = new Y.Doc()
  server.clientID = 1
  server.getText('t').insert(0, 'hello from the server')
  server.getMap('m').set('k', [1, 'two', { three: true }])
  const client = new Y.Doc()
  client.clientID = 2
  client.getText('t').insert(0, 'offline edit ')

  const step1 = encoding.createEncoder()
  syncProtocol.writeSyncStep1(step1, client)
  // the server answers step 1 with step 2
  const reply = encoding.createEncoder()
  syncProtocol.readSyncMessage(decoding.createDecoder(encoding.toUint8Array(step1)), reply, server, 'test')
  const update = encoding.createEncoder()
  let lastUpdate = null
  server.on('update', u => { lastUpdate = u })
  server.getText('t').insert(0, '>')
  syncProtocol.writeUpdate(update, lastUpdate)
  files['sync.json'] = {
    clientStateVector: b64(Y.encodeStateVector(client)),
    serverState: b64(Y.encodeStateAsUpdate(server)),
    step1: b64(encoding.toUint8Array(step1)),
    step2Reply: b64(encoding.toUint8Array(reply)),
    update: b64(encoding.toUint8Array(update)),
    updatePayload: b64(lastUpdate)
  }
}

// ---- awareness: a scripted session with a fake clock
{
  let now = 1_000_000
  const realNow = Date.now
  Date.now = () => now
  const docA = new Y.Doc()
  docA.clientID = 10
  const docB = new Y.Doc()
  docB.clientID = 20
  const a = new awarenessProtocol.Awareness(docA)
  const b = new awarenessProtocol.Awareness(docB)
  const steps = []
  const record = (what, bytes) => steps.push({ what, update: b64(bytes) })
  a.setLocalState({ user: { name: 'Ann', color: '#ff0000' }, cursor: { anchor: 3, head: 5 }, n: 1.5, '2': 'x', '1': 'y' })
  record('a-initial', awarenessProtocol.encodeAwarenessUpdate(a, [10]))
  awarenessProtocol.applyAwarenessUpdate(b, awarenessProtocol.encodeAwarenessUpdate(a, [10]), 'net')
  b.setLocalStateField('user', { name: 'Bob' })
  record('b-field', awarenessProtocol.encodeAwarenessUpdate(b, [20]))
  record('b-all', awarenessProtocol.encodeAwarenessUpdate(b, Array.from(b.getStates().keys())))
  a.setLocalState(null)
  record('a-offline', awarenessProtocol.encodeAwarenessUpdate(a, [10]))
  awarenessProtocol.applyAwarenessUpdate(b, awarenessProtocol.encodeAwarenessUpdate(a, [10]), 'net')
  record('b-after-a-offline', awarenessProtocol.encodeAwarenessUpdate(b, [10, 20]))
  now += 31_000
  const c = new Y.Doc()
  c.clientID = 30
  const aw = new awarenessProtocol.Awareness(c)
  record('c-initial', awarenessProtocol.encodeAwarenessUpdate(aw, [30]))
  files['awareness.json'] = {
    steps,
    bStatesAtEnd: Object.fromEntries(Array.from(b.getStates().entries()).map(([k, v]) => [String(k), v]))
  }
  a.destroy(); b.destroy(); aw.destroy()
  Date.now = realNow
}

const check = process.argv.includes('--check')
mkdirSync(outDir, { recursive: true })
let stale = false
for (const [name, value] of Object.entries(files)) {
  const text = JSON.stringify(value, null, 2) + '\n'
  const path = outDir + name
  if (check) {
    let old = null
    try { old = readFileSync(path, 'utf8') } catch {}
    if (old !== text) { console.error('stale: ' + path); stale = true }
  } else {
    writeFileSync(path, text)
  }
}
process.exit(stale ? 1 : 0)
