// A y-websocket client of Paintbox's collaboration server, run by PaintboxApplicationTest. Prints one JSON line.
//
//   node estimate-client.mjs edit <ws url> <document> <token> <expected grand total>
//     syncs, adds a room with two surfaces (one of them with a decimal comma, as a person might type it), and
//     waits until the server has written the expected grand total into the document's 'totals' map (one value,
//     under 'estimate')
//   node estimate-client.mjs refused <ws url> <document> <token>
//     expects the server to close the connection, and prints the close code and reason
//   node estimate-client.mjs forge <ws url> <document> <token> <root>
//     syncs, then writes the Y.Map <root> (one that only the server writes: 'totals', 'restored', ...) as any client
//     that may write the estimate can, and prints the close code and reason the server answers with
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'

const [mode, url, document, token, expected] = process.argv.slice(2)
if (!['edit', 'refused', 'forge'].includes(mode) || !url || !document) {
  console.error('usage: node estimate-client.mjs edit|refused|forge <ws url> <document> <token> [expected total|root]')
  process.exit(2)
}

const doc = new Y.Doc()
const provider = new WebsocketProvider(url, document, doc, {
  WebSocketPolyfill: WebSocket,
  params: token ? { token } : {},
  disableBc: true,
  maxBackoffTime: 500
})
let finished = false
const done = (result, code = 0) => {
  if (finished) return // destroy() reports one more close
  finished = true
  console.log(JSON.stringify(result))
  provider.destroy()
  setTimeout(() => process.exit(code), 50)
}
setTimeout(() => done({ error: 'timed out', totals: doc.getMap('totals').get('estimate') }, 1), 20000)

if (mode === 'refused') {
  provider.on('connection-close', event => done({ code: event?.code, reason: event?.reason, synced: provider.synced }))
} else if (mode === 'forge') {
  provider.once('sync', () => {
    provider.on('connection-close', event => done({ code: event?.code, reason: event?.reason }))
    const root = doc.getMap(expected)
    doc.transact(() => {
      root.set('estimate', { grand: 999999, area: 1, rooms: {} })
      root.set('by', 'Mallory')
      root.set('version', 1)
    })
  })
} else {
  provider.once('sync', () => {
    const room = new Y.Map()
    const surfaces = new Y.Array()
    doc.transact(() => {
      doc.getArray('rooms').push([room])
      room.set('id', 'hall')
      room.set('name', 'Hall')
      room.set('surfaces', surfaces)
      const wall = new Y.Map()
      const door = new Y.Map()
      surfaces.push([wall, door])
      Object.entries({ id: 'w', kind: 'Wall', area: 8, coats: 2, product: 'Matt', price: 2.5 }).forEach(([k, v]) => wall.set(k, v))
      Object.entries({ id: 'd', kind: 'Door', area: '4,5', coats: 1, product: 'Gloss', price: 10 }).forEach(([k, v]) => door.set(k, v))
    })
    const totals = doc.getMap('totals')
    const check = () => {
      const computed = totals.get('estimate')
      if (computed?.grand === Number(expected)) done({ totals: computed, clientId: doc.clientID })
    }
    totals.observe(check)
    check()
  })
}
