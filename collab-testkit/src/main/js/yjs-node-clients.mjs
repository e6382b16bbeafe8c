// Real Yjs clients for the modules' tests (collab-netty's interop tests, collab-redis's cluster tests), on Node's
// `ws`: npm y-websocket's WebsocketProvider and @hocuspocus/provider's HocuspocusProvider (alone, or many over one shared HocuspocusProviderWebsocket), driven
// over stdin/stdout by YjsNodeClients.java:
//
//   node yjs-node-clients.mjs
//
// Each input line is one JSON command; each gets exactly one JSON reply line, in order (commands run one after
// the other, waiting ones included). A command that fails gets {"error": "..."} and the driver carries on.
// Every client has a Y.Doc whose text root "t" the commands edit. A command that waits gives up after its
// "timeoutMs" (default 30000).
//
//   {"op":"connect","id":"a","url":"ws://127.0.0.1:1234","room":"doc","token":"t?","timeoutMs":5000}
//        a new client; waits until it is synced              -> {"ok":true,"clientId":n}
//        with "waitSynced":false it returns at once; then "closes" tells how the server closed it
//        with "kind":"hocuspocus" a HocuspocusProvider for document "room" at "url" (the server's prefix), with
//        "socket":"s" over shared socket s (see "socket") instead of a socket of its own, and with
//        "sessionAwareness":true the provider's option of that name (its document addressed as name\0session, so
//        that several providers of one document can share a socket); with "tokens":["t1","t2",...] instead of
//        "token" the provider's token is a function that returns the next of them each time it is called (the last
//        one again once they are used up): what an app that fetches a fresh token does
//   {"op":"socket","id":"s","url":"ws://127.0.0.1:1234"}   a shared HocuspocusProviderWebsocket  -> {"ok":true}
//   {"op":"destroySocket","id":"s"}                                                          -> {"ok":true}
//   {"op":"raw","id":"a","hex":"00ff"}   sends these bytes as a binary message on a's socket   -> {"ok":true}
//   {"op":"sendStateless","id":"a","payload":"..."}   (Hocuspocus)                            -> {"ok":true}
//   {"op":"remount","id":"a","socket":"s","room":"doc","token":"t","gapMs":1}
//        what a UI that mounts twice does: a provider on shared socket s, destroyed after gapMs (its token sent),
//        and at once a new one for the same document; waits until the new one is synced      -> {"ok":true}
//   {"op":"sendToken","id":"a","token":"t"}   (Hocuspocus) provider.sendToken() with a fresh token -> {"ok":true}
//   {"op":"forceSync","id":"a"}   provider.forceSync(): counts one unsynced change and sends step 1 -> {"ok":true}
//   {"op":"waitAcked","id":"a","timeoutMs":5000}   until a Hocuspocus provider has no unsynced changes left
//        (the server acknowledged every update)                                               -> {"text":"..."}
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
//        Hocuspocus also: "scope" (of the last "authenticated"), "authenticated":n (how many), "stateless":[payload],
//        "unsynced":n
//   {"op":"waitConnected","id":"a","timeoutMs":5000}  until connected and synced again      -> {"ok":true}
//   {"op":"drop","id":"a"}     kills the socket without a close handshake and stops reconnecting -> {"ok":true}
//   {"op":"destroy","id":"a"}  provider.destroy() (a clean disconnect)                       -> {"ok":true}
//   {"op":"addSubdoc","id":"a","key":"child","guid":"g?","autoLoad":false}
//        a new Y.Doc (that guid, or a random one) set as a subdocument under key in a's map "m"  -> {"guid":"..."}
//   {"op":"openSubdoc","id":"a","key":"child","as":"a1","url":"ws://...","token":"t?","timeoutMs":5000}
//        what Yjs apps do with a subdocument: waits until a's map "m" holds a Y.Doc under key, load()s it and opens
//        it with a provider of its own named by its guid (with "kind":"hocuspocus" a HocuspocusProvider); the new
//        client "as" edits that subdocument's text "t"; waits until it is synced             -> {"guid":"...","clientId":n}
//   {"op":"deleteKey","id":"a","key":"child"}   deletes key from a's map "m"                 -> {"ok":true}
//   {"op":"subdocs","id":"a"}  a's doc.getSubdocGuids(), and the guid under each key of its map "m" that holds a
//        Y.Doc                                                           -> {"guids":[...],"keys":{"child":"..."}}
//   {"op":"quit"}                                                            -> {"ok":true}, then exits

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import WebSocket from 'ws'
import * as decoding from 'lib0/decoding'
import { createInterface } from 'node:readline'

// stdout carries replies only.
const warn = console.warn
console.log = console.info = console.debug = console.error

/** @type {Map<string, {doc: Y.Doc, provider: WebsocketProvider, closes: object[], denied: string[]}>} */
const clients = new Map()
/** @type {Map<string, HocuspocusProviderWebsocket>} */
const sockets = new Map()

// Quick reconnects, so that a test sees a dropped Hocuspocus socket come back within a second.
const socketOptions = url => ({ url, WebSocketPolyfill: WebSocket, delay: 100, minDelay: 100, maxDelay: 500 })

/** A token function that returns the next of tokens on each call, then the last one again. */
const nextToken = tokens => {
  let calls = 0
  return () => tokens[Math.min(calls++, tokens.length - 1)]
}

const connectHocuspocus = (cmd, doc = new Y.Doc()) => {
  const c = {
    doc, closes: [], denied: [], provider: null, hocuspocus: true, scope: null, authenticated: 0, stateless: []
  }
  const shared = cmd.socket == null ? null : sockets.get(cmd.socket)
  if (cmd.socket != null && shared === undefined) throw new Error(`no socket ${JSON.stringify(cmd.socket)}`)
  const provider = new HocuspocusProvider({
    name: cmd.room,
    document: doc,
    token: cmd.tokens == null ? (cmd.token ?? null) : nextToken(cmd.tokens),
    sessionAwareness: cmd.sessionAwareness === true,
    // Given a socket, the provider shares it (and leaves it open when destroyed); given a url, it makes its own.
    ...(shared == null ? socketOptions(cmd.url) : { websocketProvider: shared }),
    onAuthenticated: ({ scope }) => { c.scope = scope; c.authenticated++ },
    onAuthenticationFailed: ({ reason }) => { c.denied.push(reason) },
    onStateless: ({ payload }) => { c.stateless.push(payload) },
    onClose: ({ event }) => { if (event != null) c.closes.push({ code: event.code, reason: event.reason }) }
  })
  // A provider given a socket does not attach itself; one that made its own socket is attached already.
  if (shared != null) provider.attach()
  c.provider = provider
  return c
}

const connectYWebsocket = (cmd, doc = new Y.Doc()) => {
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
  return c
}

// The socket under a client, for raw bytes and drops.
const socketOf = c => c.hocuspocus ? c.provider.configuration.websocketProvider.webSocket : c.provider.ws

const client = id => {
  const c = clients.get(id)
  if (c === undefined) throw new Error(`no client ${JSON.stringify(id)}`)
  return c
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

// What a command waits when it gives no "timeoutMs": on a machine loaded many times over, a first sync alone can take
// several seconds. YjsNodeClients.java waits this long and more for the reply.
const DEFAULT_WAIT_MS = 30000

const waitFor = async (what, predicate, timeoutMs = DEFAULT_WAIT_MS) => {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) {
      // Timers run before the event loop reads the sockets: after Node was held up past the deadline (a loaded
      // machine), what arrived meanwhile is still unread. setImmediate runs after the loop has read it.
      await new Promise(resolve => setImmediate(resolve))
      if (predicate()) return
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    }
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
      if (cmd.kind === 'hocuspocus') {
        const c = connectHocuspocus(cmd)
        clients.set(cmd.id, c)
        if (cmd.waitSynced !== false) await waitFor(`${cmd.id} to sync`, () => c.provider.synced, cmd.timeoutMs)
        return { ok: true, clientId: c.doc.clientID }
      }
      const c = connectYWebsocket(cmd)
      clients.set(cmd.id, c)
      if (cmd.waitSynced !== false) await waitFor(`${cmd.id} to sync`, () => c.provider.synced, cmd.timeoutMs)
      return { ok: true, clientId: c.doc.clientID }
    }
    case 'addSubdoc': {
      const sub = new Y.Doc({ ...(cmd.guid == null ? {} : { guid: cmd.guid }), autoLoad: cmd.autoLoad === true })
      client(cmd.id).doc.getMap('m').set(cmd.key, sub)
      return { guid: sub.guid }
    }
    case 'openSubdoc': {
      const m = client(cmd.id).doc.getMap('m')
      await waitFor(`${cmd.id}'s subdocument ${cmd.key}`, () => m.get(cmd.key) instanceof Y.Doc, cmd.timeoutMs)
      const sub = m.get(cmd.key)
      sub.load()
      const room = { ...cmd, room: sub.guid }
      const c = cmd.kind === 'hocuspocus' ? connectHocuspocus(room, sub) : connectYWebsocket(room, sub)
      clients.set(cmd.as, c)
      await waitFor(`${cmd.as} to sync`, () => c.provider.synced, cmd.timeoutMs)
      return { guid: sub.guid, clientId: sub.clientID }
    }
    case 'deleteKey':
      client(cmd.id).doc.getMap('m').delete(cmd.key)
      return { ok: true }
    case 'subdocs': {
      const doc = client(cmd.id).doc
      const keys = {}
      doc.getMap('m').forEach((v, k) => { if (v instanceof Y.Doc) keys[k] = v.guid })
      return { guids: [...doc.getSubdocGuids()], keys }
    }
    case 'insert':
      client(cmd.id).doc.getText('t').insert(cmd.index, cmd.text)
      return { ok: true }
    case 'delete':
      client(cmd.id).doc.getText('t').delete(cmd.index, cmd.length)
      return { ok: true }
    case 'insertEmbed':
      client(cmd.id).doc.getText('t').insertEmbed(cmd.index, cmd.embed)
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
      if (c.hocuspocus) {
        return {
          connected: c.provider.configuration.websocketProvider.status === 'connected',
          synced: c.provider.synced,
          closes: c.closes,
          denied: c.denied,
          scope: c.scope,
          authenticated: c.authenticated,
          stateless: c.stateless,
          unsynced: c.provider.unsyncedChanges
        }
      }
      return { connected: c.provider.wsconnected, synced: c.provider.synced, closes: c.closes, denied: c.denied }
    }
    case 'waitConnected': {
      const c = client(cmd.id)
      const connected = () => c.hocuspocus
        ? c.provider.configuration.websocketProvider.status === 'connected' && c.provider.synced
        : c.provider.wsconnected && c.provider.synced
      await waitFor(`${cmd.id} to reconnect`, connected, cmd.timeoutMs)
      return { ok: true }
    }
    case 'drop': {
      const c = client(cmd.id)
      if (c.hocuspocus) c.provider.configuration.websocketProvider.shouldConnect = false
      else c.provider.shouldConnect = false
      socketOf(c)?.terminate()
      return { ok: true }
    }
    case 'socket':
      sockets.set(cmd.id, new HocuspocusProviderWebsocket(socketOptions(cmd.url)))
      return { ok: true }
    case 'destroySocket':
      sockets.get(cmd.id).destroy()
      sockets.delete(cmd.id)
      return { ok: true }
    case 'raw':
      socketOf(client(cmd.id)).send(Buffer.from(cmd.hex, 'hex'))
      return { ok: true }
    case 'sendStateless':
      client(cmd.id).provider.sendStateless(cmd.payload)
      return { ok: true }
    case 'remount': {
      const first = connectHocuspocus(cmd)
      await sleep(cmd.gapMs ?? 0)
      first.provider.destroy()
      const c = connectHocuspocus(cmd)
      clients.set(cmd.id, c)
      await waitFor(`${cmd.id} to sync after a remount`, () => c.provider.synced, cmd.timeoutMs)
      return { ok: true }
    }
    case 'sendToken': {
      const p = client(cmd.id).provider
      p.configuration.token = cmd.token
      await p.sendToken()
      return { ok: true }
    }
    case 'forceSync':
      client(cmd.id).provider.forceSync()
      return { ok: true }
    case 'waitAcked': {
      const p = client(cmd.id).provider
      await waitFor(`${cmd.id} to have every change acknowledged (unsynced: ${p.unsyncedChanges})`,
        () => p.unsyncedChanges === 0, cmd.timeoutMs)
      return { text: client(cmd.id).doc.getText('t').toString() }
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
for (const s of sockets.values()) s.destroy()
warn('[ywebsocket-clients] bye')
process.exit(0)
