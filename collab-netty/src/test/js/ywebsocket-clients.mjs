// Real y-websocket clients (npm y-websocket's WebsocketProvider on Node's `ws`) for collab-netty's interop tests,
// driven over stdin/stdout by YWebsocketClients.java:
//
//   node ywebsocket-clients.mjs
//
// Each input line is one JSON command; each gets exactly one JSON reply line, in order (commands run one after
// the other, waiting ones included). A command that fails gets {"error": "..."} and the driver carries on.
// Every client has a Y.Doc whose text root "t" the commands edit.
//
//   {"op":"connect","id":"a","url":"ws://127.0.0.1:1234","room":"doc","token":"t?","timeoutMs":5000}
//        a new client; waits until it is synced              -> {"ok":true,"clientId":n}
//        with "waitSynced":false it returns at once; then "closes" tells how the server closed it
//   {"op":"insert","id":"a","index":0,"text":"x"}  {"op":"delete","id":"a","index":0,"length":1}  -> {"ok":true}
//   {"op":"concurrent","edits":[{"id":"a","index":0,"text":"x"},...]}
//        all edits in the same tick, before any client can hear of another's              -> {"ok":true}
//   {"op":"randomEdits","ids":["a","b"],"count":200,"seed":1}
//        count random inserts/deletes spread over the clients, yielding to the network between them  -> {"ok":true}
//   {"op":"text","id":"a"}                                                   -> {"text":"..."}
//   {"op":"waitText","id":"a","text":"...","timeoutMs":5000}   until the text is exactly that -> {"ok":true}
//   {"op":"waitSame","ids":["a","b"],"timeoutMs":5000}   until all texts are equal           -> {"text":"..."}
//   {"op":"setAwareness","id":"a","state":{...}}  (null: offline)                           -> {"ok":true}
//   {"op":"awareness","id":"a"}            the states a sees, by client id (its own included) -> {"states":{...}}
//   {"op":"waitAwareness","id":"a","client":n,"present":true,"timeoutMs":5000}              -> {"ok":true}
//   {"op":"status","id":"a"}  -> {"connected":bool,"synced":bool,"closes":[{code,reason}],"denied":[reason]}
//   {"op":"waitConnected","id":"a","timeoutMs":5000}  until connected and synced again      -> {"ok":true}
//   {"op":"drop","id":"a"}     kills the socket without a close handshake and stops reconnecting -> {"ok":true}
//   {"op":"destroy","id":"a"}  provider.destroy() (a clean disconnect)                       -> {"ok":true}
//   {"op":"quit"}                                                            -> {"ok":true}, then exits

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import * as decoding from 'lib0/decoding'
import { createInterface } from 'node:readline'

// stdout carries replies only.
const warn = console.warn
console.log = console.info = console.debug = console.error

/** @type {Map<string, {doc: Y.Doc, provider: WebsocketProvider, closes: object[], denied: string[]}>} */
const clients = new Map()

const client = id => {
  const c = clients.get(id)
  if (c === undefined) throw new Error(`no client ${JSON.stringify(id)}`)
  return c
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

const waitFor = async (what, predicate, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(5)
  }
}

// A small seeded PRNG (mulberry32), so that a failing run can be replayed with its seed.
const random = seed => () => {
  seed = (seed + 0x6D2B79F5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const states = c => Object.fromEntries(c.provider.awareness.getStates())

const handle = async cmd => {
  switch (cmd.op) {
    case 'connect': {
      const doc = new Y.Doc()
      const c = { doc, closes: [], denied: [], provider: null }
      const provider = new WebsocketProvider(cmd.url, cmd.room, doc, {
        WebSocketPolyfill: WebSocket,
        params: cmd.token == null ? {} : { token: cmd.token },
        disableBc: true,
        maxBackoffTime: 500
      })
      c.provider = provider
      provider.on('connection-close', event => {
        if (event != null) c.closes.push({ code: event.code, reason: event.reason })
      })
      // y-websocket reports the server's "permission denied" only through console.warn.
      provider.messageHandlers[2] = (encoder, decoder) => {
        if (decoding.readVarUint(decoder) === 0) c.denied.push(decoding.readVarString(decoder))
      }
      clients.set(cmd.id, c)
      if (cmd.waitSynced !== false) await waitFor(`${cmd.id} to sync`, () => provider.synced, cmd.timeoutMs)
      return { ok: true, clientId: doc.clientID }
    }
    case 'insert':
      client(cmd.id).doc.getText('t').insert(cmd.index, cmd.text)
      return { ok: true }
    case 'delete':
      client(cmd.id).doc.getText('t').delete(cmd.index, cmd.length)
      return { ok: true }
    case 'concurrent':
      for (const e of cmd.edits) client(e.id).doc.getText('t').insert(e.index, e.text)
      return { ok: true }
    case 'randomEdits': {
      const next = random(cmd.seed)
      for (let i = 0; i < cmd.count; i++) {
        const t = client(cmd.ids[Math.floor(next() * cmd.ids.length)]).doc.getText('t')
        if (t.length > 0 && next() < 0.3) {
          const index = Math.floor(next() * t.length)
          t.delete(index, Math.min(t.length - index, 1 + Math.floor(next() * 3)))
        } else {
          t.insert(Math.floor(next() * (t.length + 1)), String.fromCharCode(97 + Math.floor(next() * 26)))
        }
        if (next() < 0.5) await sleep(0)
      }
      return { ok: true }
    }
    case 'text':
      return { text: client(cmd.id).doc.getText('t').toString() }
    case 'waitText': {
      const t = client(cmd.id).doc.getText('t')
      await waitFor(`${cmd.id}'s text to be ${JSON.stringify(cmd.text)} (is ${JSON.stringify(t.toString())})`,
        () => t.toString() === cmd.text, cmd.timeoutMs)
      return { ok: true }
    }
    case 'waitSame': {
      const texts = () => cmd.ids.map(id => client(id).doc.getText('t').toString())
      await waitFor(`${cmd.ids} to converge`, () => texts().every(t => t === texts()[0]), cmd.timeoutMs)
      return { text: texts()[0] }
    }
    case 'setAwareness':
      client(cmd.id).provider.awareness.setLocalState(cmd.state)
      return { ok: true }
    case 'awareness':
      return { states: states(client(cmd.id)) }
    case 'waitAwareness': {
      const c = client(cmd.id)
      const present = cmd.present !== false
      await waitFor(`${cmd.id} to see client ${cmd.client} ${present ? 'present' : 'gone'}`,
        () => c.provider.awareness.getStates().has(cmd.client) === present, cmd.timeoutMs)
      return { ok: true }
    }
    case 'status': {
      const c = client(cmd.id)
      return { connected: c.provider.wsconnected, synced: c.provider.synced, closes: c.closes, denied: c.denied }
    }
    case 'waitConnected': {
      const p = client(cmd.id).provider
      await waitFor(`${cmd.id} to reconnect`, () => p.wsconnected && p.synced, cmd.timeoutMs)
      return { ok: true }
    }
    case 'drop': {
      const p = client(cmd.id).provider
      p.shouldConnect = false
      p.ws?.terminate()
      return { ok: true }
    }
    case 'destroy':
      client(cmd.id).provider.destroy()
      clients.delete(cmd.id)
      return { ok: true }
    case 'quit':
      return { ok: true }
    default:
      throw new Error(`unknown op ${JSON.stringify(cmd.op)}`)
  }
}

const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  if (line.trim() === '') continue
  let reply
  let cmd = {}
  try {
    cmd = JSON.parse(line)
    reply = await handle(cmd)
  } catch (e) {
    reply = { error: String(e && e.stack ? e.stack : e) }
  }
  process.stdout.write(JSON.stringify(reply) + '\n')
  if (cmd.op === 'quit') break
}
for (const c of clients.values()) c.provider.destroy()
warn('[ywebsocket-clients] bye')
process.exit(0)
