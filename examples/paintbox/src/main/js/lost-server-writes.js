// What a page does with an edit of the server's that the server itself lost.
//
// The server writes the totals (and the `restored`, `renamed`, `deleted` marks) into the estimate's document and relays
// them at once; it stores them a moment later. Killed in between (`kill -9`, a crash), it starts again without them,
// while the open pages (and their copies in IndexedDB) hold them. A page's next sync would then send them back, and the
// server refuses every client's write to those roots (ServerOwnedRoots: 4403), with all the page typed meanwhile. The
// page cannot take them out of its Y.Doc either: in a Y.Map the lost value stays the newest the page knows and hides
// every total the server writes from then on. So a page that finds such a write starts over on a new Y.Doc that holds
// everything of the old one but the server's roots (`seedWithout`); the server sends its own state to it, and the page
// sends what it typed.
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'

/** The roots only the server writes: ServerOwnedRoots.ROOTS on the server. */
export const SERVER_ROOTS = new Set(['totals', 'restored', 'renamed', 'deleted'])

const MESSAGE_SYNC = 0 // y-websocket's message type of the sync protocol

/** The name of the root that `struct` (an Item of `doc`) is in, at any depth; null for a GC struct. */
const rootOf = struct => {
  if (!(struct instanceof Y.Item)) return null
  let type = struct.parent
  while (type._item) type = type._item.parent
  return Y.findRootTypeKey(type)
}

/** The struct of `doc` that holds `clock` of `client`. */
const structOf = (doc, client, clock) => {
  const structs = doc.store.clients.get(client)
  return structs[Y.findIndexSS(structs, clock)]
}

/** Whether a struct of `doc` from `clock` on (of `length` clocks) of `client` lies in a server root. */
const inServerRoots = (doc, client, clock, length) => {
  if (!doc.store.clients.has(client)) return false
  const end = Math.min(clock + length, Y.getState(doc.store, client))
  for (let c = clock; c < end;) {
    const struct = structOf(doc, client, c)
    if (SERVER_ROOTS.has(rootOf(struct))) return true
    c = struct.id.clock + struct.length
  }
  return false
}

/**
 * The clients of `doc` that have written, into a server root, something beyond `known` (a Map of client to clock:
 * what the server has); `ranges`: which clients and clocks to look at (default: all `doc` has beyond `known`).
 */
export const lostWriters = (doc, known, ranges = null) => {
  const lost = new Set()
  const look = ranges || new Map([...doc.store.clients.keys()].map(c => [c, [known.get(c) || 0, Y.getState(doc.store, c)]]))
  for (const [client, [from, to]] of look) {
    // What this page wrote under its own client id is no write of the server's, whatever it is: the server judges it.
    if (client === doc.clientID) continue
    const start = Math.max(from, known.get(client) || 0)
    if (to > start && inServerRoots(doc, client, start, to - start)) lost.add(client)
  }
  return lost
}

/**
 * The new document a page starts over on, as one update (v1): what `doc` holds, without anything in the server's roots
 * and without what only a lost write could have given it. Per client, its structs up to the first one in a server root
 * (which only the server writes, and which the page may hold deleted by the lost write, its content gone): the
 * server sends that one and the rest of that client's (what it still has of them). The deletions, but of items in the
 * server's roots, and of items neither kept here nor held by the server (`known`: its state vector).
 */
export const seedWithout = (doc, known) => {
  const { structs, ds } = Y.decodeUpdate(Y.encodeStateAsUpdate(doc))
  const byClient = new Map()
  const cut = new Set() // clients whose structs stopped at one in a server root
  const kept = new Map() // client: the clock up to which its structs are kept
  for (const struct of structs) {
    const client = struct.id.client
    if (cut.has(client)) continue
    if (SERVER_ROOTS.has(rootOf(structOf(doc, client, struct.id.clock)))) {
      cut.add(client)
      continue
    }
    if (!byClient.has(client)) byClient.set(client, [])
    byClient.get(client).push(struct)
    kept.set(client, struct.id.clock + struct.length)
  }
  const encoder = new Y.UpdateEncoderV1()
  encoding.writeVarUint(encoder.restEncoder, byClient.size)
  for (const [client, own] of [...byClient].sort((a, b) => b[0] - a[0])) {
    encoding.writeVarUint(encoder.restEncoder, own.length)
    encoder.writeClient(client)
    encoding.writeVarUint(encoder.restEncoder, own[0].id.clock)
    for (const struct of own) struct.write(encoder, 0)
  }
  const deletions = []
  for (const [client, ranges] of ds.clients) {
    const keptRanges = []
    const held = Math.min(Math.max(kept.get(client) || 0, known.get(client) || 0),
      doc.store.clients.has(client) ? Y.getState(doc.store, client) : 0)
    for (const { clock, len } of ranges) {
      // A range may span items of several roots: keep those outside the server's, struct by struct.
      for (let c = clock; c < Math.min(clock + len, held);) {
        const struct = structOf(doc, client, c)
        const end = Math.min(clock + len, held, struct.id.clock + struct.length)
        if (!SERVER_ROOTS.has(rootOf(struct))) keptRanges.push([c, end - c])
        c = end
      }
    }
    if (keptRanges.length > 0) deletions.push([client, keptRanges])
  }
  encoding.writeVarUint(encoder.restEncoder, deletions.length)
  for (const [client, keptRanges] of deletions.sort((a, b) => b[0] - a[0])) {
    encoder.resetDsCurVal()
    encoding.writeVarUint(encoder.restEncoder, client)
    encoding.writeVarUint(encoder.restEncoder, keptRanges.length)
    for (const [clock, len] of keptRanges) {
      encoder.writeDsClock(clock)
      encoder.writeDsLen(len)
    }
  }
  return encoder.toUint8Array()
}

/**
 * Watches what `provider` (y-websocket 3.x) sends for server writes that the server lost, and calls `onLost(seed)`
 * instead of sending them (with the document to start over on, `seedWithout`). Looked at: the page's answer to the
 * server's sync step 1 (the server's state vector says what it has), and the updates the page sends while connected
 * that did not come from the server (the copy in IndexedDB, loaded after the socket opened). Before the server's
 * step 1 on a connection, such an update is not sent: the answer to the step 1 carries it.
 */
export const guardLostServerWrites = (provider, onLost) => {
  const doc = provider.doc
  let known = null // what the server has on this connection: its step 1's state vector and what it sent since
  let stopped = false
  const lose = () => {
    const seed = seedWithout(doc, known) // before disconnecting, which forgets what the server has
    stopped = true
    provider.disconnect()
    onLost(seed)
  }
  const syncHandler = provider.messageHandlers[MESSAGE_SYNC]
  provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, provider, emitSynced, messageType) => {
    const start = decoder.pos
    if (decoding.readVarUint(decoder) === syncProtocol.messageYjsSyncStep1 && !stopped) {
      const stateVector = decoding.readVarUint8Array(decoder)
      known = Y.decodeStateVector(stateVector)
      const lost = lostWriters(doc, known)
      if (lost.size > 0) return lose()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      syncProtocol.writeSyncStep2(encoder, doc, stateVector)
      return
    }
    decoder.pos = start
    syncHandler(encoder, decoder, provider, emitSynced, messageType)
  }
  const onStatus = ({ status }) => { if (status !== 'connected') known = null }
  provider.on('status', onStatus)
  const send = provider._updateHandler
  const guarded = (update, origin) => {
    if (stopped) return
    if (origin === provider) {
      if (known) {
        for (const [client, clock] of Y.parseUpdateMeta(update).to) {
          if (clock > (known.get(client) || 0)) known.set(client, clock)
        }
      }
      return
    }
    if (!known) return // not connected, or the server's step 1 is still to come: its answer sends this
    const { from, to } = Y.parseUpdateMeta(update)
    const lost = lostWriters(doc, known, new Map([...to].map(([client, clock]) => [client, [from.get(client), clock]])))
    if (lost.size > 0) return lose()
    send(update, origin)
  }
  doc.off('update', send)
  provider._updateHandler = guarded
  doc.on('update', guarded)
}
