// The Node servers that benchmarks/run-load.sh measures side by side with collab-netty, each started on loopback
// exactly as its README shows, with no persistence and no hooks (collab-netty's LoadServer keeps its documents in
// memory too):
//   node load-server.mjs y-websocket-server PORT   @y/websocket-server's setupWSConnection on a ws server
//   node load-server.mjs hocuspocus PORT           @hocuspocus/server's Server
//   node load-server.mjs hocuspocus-redis PORT REDIS_PORT [ID]
//                                                  the same with @hocuspocus/extension-redis on the Redis of
//                                                  127.0.0.1:REDIS_PORT (run-cluster-load.sh: one of 1 to 3
//                                                  instances; in memory, as the others)
// Prints "LoadServer ready on PORT pid PID" once listening, like LoadServer.java; runs until killed.
import http from 'node:http'
import { readFileSync } from 'node:fs'

const [kind, portArg, redisPortArg, identifier] = process.argv.slice(2)
const port = Number(portArg ?? 1234)
const host = '127.0.0.1'
// Read from the file: @hocuspocus/server does not export its package.json.
const version = (pkg) =>
  JSON.parse(readFileSync(new URL(`./node_modules/${pkg}/package.json`, import.meta.url))).version

// Port 0: the system picks one, and the line names it.
const ready = (actualPort, what) => console.log(`LoadServer ready on ${actualPort} pid ${process.pid} (${what})`)

if (kind === 'y-websocket-server') {
  const { WebSocketServer } = await import('ws')
  const { setupWSConnection } = await import('@y/websocket-server/utils')
  const wss = new WebSocketServer({ noServer: true })
  wss.on('connection', setupWSConnection)
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' })
    res.end('okay')
  })
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })
  server.listen(port, host, () =>
    ready(server.address().port, `@y/websocket-server ${version('@y/websocket-server')}`))
} else if (kind === 'hocuspocus') {
  const { Server } = await import('@hocuspocus/server')
  const server = new Server({ port, address: host, quiet: true })
  await server.listen()
  ready(server.address.port, `@hocuspocus/server ${version('@hocuspocus/server')}`)
} else if (kind === 'hocuspocus-redis' && redisPortArg) {
  const { Server } = await import('@hocuspocus/server')
  const { Redis } = await import('@hocuspocus/extension-redis')
  const redis = new Redis({ host, port: Number(redisPortArg), ...(identifier ? { identifier } : {}) })
  const server = new Server({ port, address: host, quiet: true, extensions: [redis] })
  await server.listen()
  ready(server.address.port, `@hocuspocus/server ${version('@hocuspocus/server')} with @hocuspocus/extension-redis ` +
    `${version('@hocuspocus/extension-redis')}`)
} else {
  console.error('usage: node load-server.mjs y-websocket-server|hocuspocus PORT, or hocuspocus-redis PORT REDIS_PORT [ID]')
  process.exit(2)
}
