// Rough patterns against a collab server with a store (benchmarks/RESULTS.md, "Reconnect storm and churn"): real
// Yjs documents over raw WebSockets in the y-websocket and Hocuspocus protocols, one Node process.
//   --mode=storm  --clients=N --docs=D [--hp=0.5]: N clients (a share --hp of them Hocuspocus) on D documents, a
//                 tenth of them inserting a unique token every 100 ms; every closed client reconnects (random
//                 backoff, 50 ms doubling, at most 2.5 s). Kill the server and start it again meanwhile; prints the
//                 time until all are synced again. Once /tmp/churn-stop exists: stops editing, waits for sync and
//                 acknowledgements, then checks with fresh clients that every token the server acknowledged
//                 (Hocuspocus sync status) and every token sent is in its document, and that every client converged.
//                 --stop=PATH: the stop file instead of /tmp/churn-stop. --edits=E: E edits a second in all (default
//                 N).
//                 benchmarks/run-storm.sh drives it (kill -9, cuts, measurements).
//   --mode=relay  --via=P --cut=PATH: relays every connection to port P to --port, in a process of its own (the
//                 clients' process is busy); while the file PATH exists the relay is a cut network: every relayed
//                 connection is dropped (both ends see a reset) and P is closed (connects are refused) until the file
//                 is gone. While the server is down, a relayed connection is reset as its server side fails.
//   --mode=seed   --docs=D --size=BYTES: writes documents big-0..big-(D-1) of about BYTES characters each.
//   --mode=churn  --docs=D --conc=C --secs=S: C clients at a time connect to a big-* document, sync, check its length
//                 and disconnect, for S seconds; prints the rate and the sync time.
//   --mode=verify --docs=D: the lengths of the big-* documents as a fresh client receives them.
//   --mode=soak   --clients=N --docs=D --secs=S [--life=L] [--rate=R]: keeps N clients connected, each on a random one
//                 of D documents (many more than N/10, so that documents are loaded and unloaded all the time), half
//                 of them Hocuspocus; each sets its presence (y-protocols awareness, renewed as y-protocols does),
//                 edits R times a second (default 0.5) and leaves after a random 0.2..2 L seconds (default L 10): nine
//                 in ten with a close handshake, one in ten by dropping its TCP connection; a new client takes its
//                 place. Prints the cycles and the close codes every 10 s; run a sampler beside it (RESULTS.md).
//   --mode=multiplex --sockets=K --docs=D [--hold=S]: K Hocuspocus sockets, each opening D documents of its own
//                 (mux-<socket>-<n>) at once: auth, sync, one edit each; holds them S seconds (default 10) and then
//                 closes all K sockets at once. Prints how long opening took and what the server refused.
//   --mode=bigjoin --size=BYTES --clients=N [--chunk=BYTES] [--one=1]: a y-websocket client writes a document of
//                 about BYTES encoded bytes (a map of many entries of 10-50 characters, in updates of about
//                 --chunk bytes, default 1 MB; --one=1: in one update, to see what the server answers when it is over
//                 the message limit), then N clients join it at once (sync step 1 with an empty state vector) and do
//                 not apply what they receive: prints each one's time until the server's sync step 2 arrived, its
//                 size, and the close codes (--name=NAME: the document, default bigjoin-<time>).
//   --mode=slowjoin --size=BYTES --rate=R: a y-websocket client writes a document of about BYTES encoded bytes (as
//                 bigjoin), then one client joins it and reads at about R bytes/s (its socket paused and resumed every
//                 100 ms), sending nothing more (ws answers the server's pings as it reads them, behind the state):
//                 prints when its sync step 2 arrived, or its close code and reason and how much it read (after
//                 the step 2 it reads on at full speed for 3 s: a close the server sent meanwhile arrives behind it).
//   --path=/collab (any mode): the endpoint's path, for the starter's transports (default: the root)
//   --mode=slow   --clients=N --rate=R --size=B --secs=S: N clients edit one document (R edits/s each of B
//                 characters, not applying what they receive), a probe pair measures relay latency; halfway one more
//                 client stops reading: prints the probe's p50/p99 before and during, and the slow one's close code.
// Run from benchmarks/js (its node_modules): node churn.mjs --port=4321 --mode=...
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import fs from 'fs';
import net from 'net';

const args = Object.fromEntries(process.argv.slice(2).map(a => a.replace(/^--/, '').split('=')));
const PORT = +(args.port || 4321);
const BASE = `ws://127.0.0.1:${PORT}${args.path || ''}/`; // --path=/collab: the starter's endpoint
const MODE = args.mode || 'storm';
const now = () => Date.now();
const log = (...a) => console.log(new Date().toISOString().slice(11, 23), ...a);
const closeCodes = {};
const errors = {};

// A client on one document in one protocol; reconnects if `reconnect`.
class Client {
  constructor(id, docName, proto, opts = {}) {
    Object.assign(this, { id, docName, proto, opts });
    this.doc = new Y.Doc();
    this.text = this.doc.getText('t');
    this.synced = false; this.everSynced = false; this.n = 0;
    this.pendingStatus = []; // hp: tokens (or null) waiting for sync status
    this.acked = []; this.sent = [];
    this.attempt = 0; this.syncedAt = 0; this.closed = false;
    this.doc.on('update', (u, origin) => { if (origin !== this) this.sendUpdate(u); });
    if (opts.awareness) {
      this.awareness = new awarenessProtocol.Awareness(this.doc);
      this.awareness.on('update', ({ added, updated, removed }, origin) => {
        if (origin === this || !this.ready() || !this.synced) return;
        const e = this.frame(1);
        encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed]));
        this.send(e);
      });
    }
  }
  frame(type) { const e = encoding.createEncoder(); if (this.proto === 'hp') encoding.writeVarString(e, this.docName); encoding.writeVarUint(e, type); return e; }
  send(e) { if (this.ws && this.ws.readyState === 1) this.ws.send(encoding.toUint8Array(e)); }
  sendUpdate(u) {
    if (!this.ws || this.ws.readyState !== 1 || !this.ready()) return; // resent via sync on reconnect
    const e = this.frame(0); syncProtocol.writeUpdate(e, u); this.send(e);
    if (this.proto === 'hp') this.pendingStatus.push(this.lastToken ?? null);
    this.lastToken = null;
  }
  ready() { return this.proto === 'y' || this.authed; }
  connect() {
    if (this.closed) return;
    const url = BASE + (this.proto === 'y' ? encodeURIComponent(this.docName) : '');
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.binaryType = 'arraybuffer';
    this.ws = ws; this.synced = false; this.authed = false; this.pendingStatus = [];
    ws.on('open', () => {
      this.attempt = 0; this.openedAt = now();
      if (this.proto === 'hp') { const e = this.frame(2); encoding.writeVarUint(e, 0); encoding.writeVarString(e, 'churn'); this.send(e); }
      else this.sendStep1();
    });
    ws.on('message', (data) => { try { this.onMessage(new Uint8Array(data)); } catch (err) { errors[err.message] = (errors[err.message] || 0) + 1; } });
    ws.on('error', (err) => { errors[err.code || err.message] = (errors[err.code || err.message] || 0) + 1; });
    ws.on('close', (code) => {
      closeCodes[code] = (closeCodes[code] || 0) + 1;
      this.synced = false; this.ws = null;
      if (this.opts.onClose) this.opts.onClose(this, code);
      if (this.opts.reconnect && !this.closed) {
        const d = Math.min(2500, 50 * 2 ** this.attempt++) * Math.random();
        setTimeout(() => this.connect(), d);
      }
    });
  }
  sendStep1() { const e = this.frame(0); syncProtocol.writeSyncStep1(e, this.doc); this.send(e); }
  onMessage(buf) {
    if (this.proto === 'hp' && buf.length === 1 && buf[0] === 9) { this.ws.send(new Uint8Array([10])); return; }
    const d = decoding.createDecoder(buf);
    if (this.proto === 'hp') decoding.readVarString(d);
    const type = decoding.readVarUint(d);
    if (type === 0 || type === 4) {
      if (this.opts.cheap && this.synced) return;
      const e = this.frame(0);
      const t = syncProtocol.readSyncMessage(d, e, this.doc, this);
      if (encoding.length(e) > (this.proto === 'hp' ? this.docName.length + 2 : 1)) {
        this.send(e); if (this.proto === 'hp') this.pendingStatus.push(null);
      }
      if (t === 1 && !this.synced) {
        this.synced = true; this.everSynced = true; this.syncedAt = now();
        if (this.awareness) this.awareness.setLocalState({ user: { name: 'soak ' + this.id, color: '#30bced' }, cursor: null });
        if (this.opts.onSynced) this.opts.onSynced(this);
      }
      if (this.opts.onRemote && t === 2) this.opts.onRemote(this);
    } else if (type === 2 && this.proto === 'hp') {
      const kind = decoding.readVarUint(d);
      if (kind === 2) { this.authed = true; this.sendStep1(); } else throw new Error('auth ' + kind);
    } else if (type === 8) {
      const ok = decoding.readVarUint(d);
      const tok = this.pendingStatus.shift();
      if (tok && ok === 1) this.acked.push(tok);
    } else if (type === 1 || type === 3 || type === 5) { /* awareness etc */ }
    else if (type === 7) { errors['hp close'] = (errors['hp close'] || 0) + 1; }
  }
  edit(size = 0) {
    if (!this.synced) return false;
    const tok = `<${this.id}.${this.n++}>`;
    this.lastToken = tok; this.sent.push(tok);
    this.text.insert(this.text.length, size ? tok + 'x'.repeat(size) : tok);
    return true;
  }
  close() { this.closed = true; if (this.awareness) this.awareness.destroy(); if (this.ws) this.ws.close(); }
  drop() { this.closed = true; if (this.awareness) this.awareness.destroy(); if (this.ws) this.ws.terminate(); }
}

function pct(a, p) { if (!a.length) return NaN; const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; }
const sleep = ms => new Promise(r => setTimeout(r, ms));

// A fresh client per document; returns document name -> text (null if it never synced).
async function verifyDocs(docNames) {
  const out = {};
  for (const name of docNames) {
    for (let tries = 0; ; tries++) {
      const c = new Client('v', name, 'y');
      const p = new Promise(r => { c.opts.onSynced = r; });
      c.connect();
      const ok = await Promise.race([p.then(() => true), sleep(10000).then(() => false)]);
      if (ok) { out[name] = c.text.toString(); c.close(); break; }
      c.close(); if (tries > 5) { out[name] = null; break; }
    }
  }
  return out;
}

// A TCP relay from port `via` to the server's port that can be cut: while the file `cutFile` exists, every relayed
// connection is destroyed and the relay's port is closed (a client's connect is refused), as if the network or the
// server's port went away; once the file is gone the port listens again. Resolves once listening.
function startRelay(via, cutFile) {
  const pipes = new Set();
  let server = null, cuts = 0;
  const listen = () => new Promise(r => {
    server = net.createServer(down => {
      const up = net.connect(PORT, '127.0.0.1');
      const pipe = { down, up };
      pipes.add(pipe);
      const end = () => { pipes.delete(pipe); down.destroy(); up.destroy(); };
      down.on('error', end); up.on('error', end); down.on('close', end); up.on('close', end);
      down.pipe(up); up.pipe(down);
    });
    server.listen(via, '127.0.0.1', 4096, r);
  });
  setInterval(() => {
    const cut = cutFile && fs.existsSync(cutFile);
    if (cut && server) {
      const s = server; server = null; cuts++;
      s.close();
      for (const { down, up } of pipes) { down.resetAndDestroy(); up.resetAndDestroy(); }
      log(`CUT ${cuts}: ${pipes.size} relayed connections reset, port ${via} closed`);
      pipes.clear();
    } else if (!cut && !server) {
      listen().then(() => log(`CUT ${cuts} over: port ${via} listens again`));
    }
  }, 100);
  return listen();
}

if (MODE === 'relay') {
  await startRelay(+args.via, args.cut);
  log(`RELAY listening on ${args.via} to ${PORT}`);
}

if (MODE === 'storm') {
  const N = +(args.clients || 2000), D = +(args.docs || 200), hpShare = +(args.hp ?? 0.5);
  const edits = +(args.edits || N);
  const clients = [];
  for (let i = 0; i < N; i++) clients.push(new Client(i, 'storm-' + (i % D), i < N * hpShare ? 'hp' : 'y', { reconnect: true }));
  let i = 0;
  // The first connect counts as a storm too (RESYNCED once all have synced), however soon they do.
  let editing = true, downAt = now();
  await new Promise(r => { const t = setInterval(() => { for (let k = 0; k < 100 && i < N; k++) clients[i++].connect(); if (i >= N) { clearInterval(t); r(); } }, 50); });
  const editTimer = setInterval(() => { if (!editing) return; for (let k = 0; k < edits / 10; k++) clients[(Math.random() * N) | 0].edit(); }, 100);
  const stop = args.stop || '/tmp/churn-stop';
  while (!fs.existsSync(stop)) {
    await sleep(1000);
    const synced = clients.filter(c => c.synced).length;
    const pend = clients.reduce((s, c) => s + c.pendingStatus.length, 0);
    const acked = clients.reduce((s, c) => s + c.acked.length, 0);
    if (synced < N && !downAt) { downAt = now(); }
    if (downAt && synced === N) {
      const ts = clients.map(c => c.syncedAt - downAt);
      log(`RESYNCED all ${N} after ${now() - downAt} ms since first drop; syncedAt-drop p50 ${pct(ts, .5)} p99 ${pct(ts, .99)} max ${Math.max(...ts)} lastSyncedAt ${Math.max(...clients.map(c => c.syncedAt))}`);
      downAt = 0;
    }
    log(`synced ${synced}/${N} pendingStatus ${pend} acked ${acked} closes ${JSON.stringify(closeCodes)} errors ${JSON.stringify(errors)}`);
  }
  editing = false; clearInterval(editTimer);
  log('stopping edits; waiting for sync + acks');
  for (let k = 0; k < 60; k++) { await sleep(1000); if (clients.every(c => c.synced && c.pendingStatus.length === 0)) break; }
  await sleep(3000);
  const names = [...new Set(clients.map(c => c.docName))];
  const texts = await verifyDocs(names);
  let missingAcked = 0, missingSent = 0, diverged = 0, totalAcked = 0;
  for (const c of clients) {
    const t = texts[c.docName];
    if (t === null) { diverged++; continue; }
    for (const tok of c.acked) { totalAcked++; if (!t.includes(tok)) missingAcked++; }
    for (const tok of c.sent) if (!t.includes(tok)) missingSent++;
    if (c.text.toString() !== t) diverged++;
  }
  log(`VERIFY docs ${names.length} clients ${N} ackedTokens ${totalAcked} missingAcked ${missingAcked} sentTokens ${clients.reduce((s, c) => s + c.sent.length, 0)} missingSent ${missingSent} divergedClients ${diverged}`);
  log(`closes ${JSON.stringify(closeCodes)} errors ${JSON.stringify(errors)}`);
  clients.forEach(c => c.close());
  await sleep(500); process.exit(0);
}

if (MODE === 'seed') { // one big document per name
  const D = +(args.docs || 20), size = +(args.size || 200000);
  for (let k = 0; k < D; k++) {
    const c = new Client('s' + k, 'big-' + k, 'hp');
    const p = new Promise(r => { c.opts.onSynced = r; }); c.connect(); await p;
    if (c.text.length === 0) { for (let j = 0; j < size / 1000; j++) c.edit(990); }
    while (c.pendingStatus.length) await sleep(50);
    log('seeded', c.docName, c.text.length); c.close();
  }
  process.exit(0);
}

if (MODE === 'churn') { // connect, sync, disconnect, with `conc` in flight, for `secs`
  const D = +(args.docs || 20), conc = +(args.conc || 50), secs = +(args.secs || 60);
  const expected = {};
  const v = await verifyDocs([...Array(D).keys()].map(k => 'big-' + k));
  for (const [k, t] of Object.entries(v)) expected[k] = t.length;
  const end = now() + secs * 1000; let done = 0, bad = 0, seq = 0, lastDone = 0; const times = [];
  async function worker() {
    while (now() < end) {
      const name = 'big-' + (seq++ % D); const proto = seq % 2 ? 'y' : 'hp';
      const c = new Client('c', name, proto); const t0 = now();
      const p = new Promise(r => { c.opts.onSynced = () => r(true); c.opts.onClose = () => r(false); });
      c.connect();
      const ok = await Promise.race([p, sleep(20000).then(() => false)]);
      if (ok && c.text.length === expected[name]) { done++; times.push(now() - t0); } else bad++;
      c.close();
      await new Promise(r => { if (!c.ws) r(); else c.ws.on('close', r); setTimeout(r, 2000); });
    }
  }
  const t = setInterval(() => { log(`churn done ${done} (+${done - lastDone}/s) bad ${bad} closes ${JSON.stringify(closeCodes)} errors ${JSON.stringify(errors)}`); lastDone = done; }, 1000);
  await Promise.all([...Array(conc)].map(worker));
  clearInterval(t);
  log(`CHURN total ${done} in ${secs}s = ${(done / secs).toFixed(0)}/s bad ${bad} sync time p50 ${pct(times, .5)} p99 ${pct(times, .99)} closes ${JSON.stringify(closeCodes)} errors ${JSON.stringify(errors)}`);
  process.exit(0);
}

if (MODE === 'verify') { // after unload: fresh load again equals expected lengths
  const D = +(args.docs || 20);
  const v = await verifyDocs([...Array(D).keys()].map(k => 'big-' + k));
  log('VERIFY lengths', JSON.stringify(Object.values(v).map(t => t && t.length)));
  process.exit(0);
}

if (MODE === 'soak') {
  const N = +(args.clients || 500), D = +(args.docs || 2000), secs = +(args.secs || 600), life = +(args.life || 10);
  const rate = +(args.rate ?? 0.5);
  const end = now() + secs * 1000; let seq = 0, cycles = 0, neverSynced = 0, drops = 0;
  const live = new Set();
  const start = () => {
    const c = new Client(seq, 'soak-' + ((Math.random() * D) | 0), seq++ % 2 ? 'y' : 'hp', { awareness: true });
    live.add(c); c.connect();
    setTimeout(() => {
      live.delete(c); cycles++;
      if (!c.everSynced) neverSynced++;
      if (Math.random() < 0.1) { drops++; c.drop(); } else c.close();
      if (now() < end) start();
    }, life * 1000 * (0.2 + 1.8 * Math.random()));
  };
  for (let i = 0; i < N; i++) { start(); if (i % 50 === 49) await sleep(100); }
  const ed = setInterval(() => { for (const c of live) if (Math.random() < rate / 10) c.edit(); }, 100);
  while (now() < end) {
    await sleep(10000);
    log(`soak cycles ${cycles} live ${live.size} synced ${[...live].filter(c => c.synced).length} neverSynced ${neverSynced} drops ${drops} closes ${JSON.stringify(closeCodes)} errors ${JSON.stringify(errors)}`);
  }
  clearInterval(ed);
  await sleep(life * 2000 + 1000);
  log(`SOAK done: cycles ${cycles} in ${secs}s, neverSynced ${neverSynced}, drops ${drops}, closes ${JSON.stringify(closeCodes)} errors ${JSON.stringify(errors)}`);
  process.exit(0);
}

if (MODE === 'multiplex') {
  const K = +(args.sockets || 1), D = +(args.docs || 1000), hold = +(args.hold || 10);
  const run = now();
  const socks = [...Array(K)].map((_, k) => new Promise(resolve => {
    const ws = new WebSocket(BASE, { perMessageDeflate: false });
    ws.binaryType = 'arraybuffer';
    const docs = new Map(); let synced = 0, authed = 0, refusals = 0; const t0 = now();
    const s = { ws, docs, t0, code: null, reason: null, get synced() { return synced; }, get authed() { return authed; }, get refusals() { return refusals; } };
    const send = (name, type, write) => { const e = encoding.createEncoder(); encoding.writeVarString(e, name); encoding.writeVarUint(e, type); write(e); ws.send(encoding.toUint8Array(e)); };
    ws.on('open', () => {
      for (let n = 0; n < D; n++) {
        const name = `mux-${run}-${k}-${n}`, doc = new Y.Doc();
        docs.set(name, { doc, synced: false });
        doc.on('update', (u, origin) => { if (origin !== 'remote') send(name, 0, e => syncProtocol.writeUpdate(e, u)); });
        send(name, 2, e => { encoding.writeVarUint(e, 0); encoding.writeVarString(e, 'mux'); });
      }
    });
    ws.on('message', data => {
      const d = decoding.createDecoder(new Uint8Array(data));
      const name = decoding.readVarString(d), type = decoding.readVarUint(d), entry = docs.get(name);
      if (!entry) return;
      if (type === 2) {
        const kind = decoding.readVarUint(d);
        if (kind === 2) { authed++; send(name, 0, e => syncProtocol.writeSyncStep1(e, entry.doc)); } else refusals++;
      } else if (type === 0) {
        const e = encoding.createEncoder(); encoding.writeVarString(e, name); encoding.writeVarUint(e, 0);
        const t = syncProtocol.readSyncMessage(d, e, entry.doc, 'remote');
        if (encoding.length(e) > name.length + 2) ws.send(encoding.toUint8Array(e));
        if (t === 1 && !entry.synced) {
          entry.synced = true; synced++; entry.doc.getText('t').insert(0, name);
          if (synced === D) { s.allSyncedMs = now() - t0; resolve(s); }
        }
      }
    });
    ws.on('close', (code, reason) => { s.code = code; s.reason = reason.toString(); closeCodes[code] = (closeCodes[code] || 0) + 1; resolve(s); });
    ws.on('error', err => { errors[err.code || err.message] = (errors[err.code || err.message] || 0) + 1; });
  }));
  const progress = setInterval(() => log(`multiplex waiting; closes ${JSON.stringify(closeCodes)} errors ${JSON.stringify(errors)}`), 5000);
  const all = await Promise.race([Promise.all(socks), sleep(300000).then(() => null)]);
  clearInterval(progress);
  if (!all) { log('MULTIPLEX: not all sockets synced within 300 s'); process.exit(1); }
  const ms = all.map(s => s.allSyncedMs ?? NaN);
  log(`MULTIPLEX ${K} sockets x ${D} documents: all synced ${all.filter(s => s.synced === D).length}/${K}; per socket all-synced p50 ${pct(ms, .5)} max ${Math.max(...ms)} ms; closed early ${JSON.stringify(all.filter(s => s.code !== null).map(s => [s.code, s.reason, s.synced]).slice(0, 3))}`);
  await sleep(hold * 1000);
  const t1 = now();
  await Promise.all(all.map(s => new Promise(r => { if (s.ws.readyState !== 1) return r(); s.ws.on('close', r); s.ws.close(); })));
  log(`MULTIPLEX closed all ${K} sockets in ${now() - t1} ms; closes ${JSON.stringify(closeCodes)} errors ${JSON.stringify(errors)}`);
  process.exit(0);
}

// A y-websocket client that writes document `name` of about `size` encoded bytes (bigjoin, slowjoin); returns it.
async function writeBigDocument(name, size, chunk) {
  const w = new Client('w', name, 'y');
  await new Promise(r => { w.opts.onSynced = r; w.connect(); });
  let state = 0, keys = 0; const tw = now();
  let seedClose = null; w.opts.onClose = (c, code) => { seedClose = code; };
  w.ws.on('close', (code, reason) => log(`writer closed ${code} ${reason}`));
  const letters = 'abcdefghijklmnopqrstuvwxyz ';
  while (state < size && seedClose === null) {
    // Updates of about `chunk` bytes, with the event loop free between them: a writer that is busy for a minute
    // answers no ping, and the server drops it.
    let written = 0;
    w.doc.transact(() => {
      const m = w.doc.getMap('m');
      while (written < (args.one ? size : chunk)) {
        let phrase = ''; for (let n = 10 + ((Math.random() * 40) | 0); n > 0; n--) phrase += letters[(Math.random() * 27) | 0];
        const key = 'k' + (keys++); m.set(key, phrase); written += phrase.length + key.length + 10;
      }
    });
    while (w.ws && w.ws.bufferedAmount > 0) await sleep(20);
    await sleep(10);
    state = Y.encodeStateAsUpdate(w.doc).length;
  }
  state = Y.encodeStateAsUpdate(w.doc).length;
  log(`writer: encoded state ${state} bytes in ${now() - tw} ms; writer close ${seedClose}`);
  w.state = state;
  return w;
}

if (MODE === 'bigjoin') {
  const size = +(args.size || 20e6), N = +(args.clients || 50), chunk = +(args.chunk || 1e6), name = args.name || 'bigjoin-' + now();
  const w = await writeBigDocument(name, size, chunk);
  const state = w.state;
  await sleep(2000);
  const results = await Promise.all([...Array(N)].map((_, i) => new Promise(resolve => {
    const ws = new WebSocket(BASE + encodeURIComponent(name), { perMessageDeflate: false, maxPayload: 1 << 30 });
    ws.binaryType = 'arraybuffer';
    const t0 = now(); const res = { ms: null, bytes: 0, code: null };
    ws.on('open', () => { const e = encoding.createEncoder(); encoding.writeVarUint(e, 0); syncProtocol.writeSyncStep1(e, new Y.Doc()); ws.send(encoding.toUint8Array(e)); });
    ws.on('message', data => {
      const b = new Uint8Array(data);
      if (b[0] === 0 && b[1] === 1 && res.ms === null) { res.ms = now() - t0; res.bytes = b.length; ws.close(); }
    });
    ws.on('close', code => { res.code = code; resolve(res); });
    ws.on('error', err => { errors[err.code || err.message] = (errors[err.code || err.message] || 0) + 1; });
  })));
  const ms = results.filter(r => r.ms !== null).map(r => r.ms);
  log(`BIGJOIN state ${state} bytes, ${N} joiners: received ${ms.length}, step 2 of ${results[0].bytes} bytes; time p50 ${pct(ms, .5)} p99 ${pct(ms, .99)} max ${Math.max(...ms)} ms; joiners' closes ${JSON.stringify(results.reduce((m, r) => (m[r.code] = (m[r.code] || 0) + 1, m), {}))} errors ${JSON.stringify(errors)}`);
  w.close(); await sleep(500); process.exit(0);
}

if (MODE === 'slowjoin') {
  const size = +(args.size || 8e6), rate = +(args.rate || 200e3), chunk = +(args.chunk || 1e6), name = args.name || 'slowjoin-' + now();
  const w = await writeBigDocument(name, size, chunk);
  await sleep(1000);
  const ws = new WebSocket(BASE + encodeURIComponent(name), { perMessageDeflate: false, maxPayload: 1 << 30 });
  const t0 = now(); let got = 0, budget = 0, step2 = null, code = null, reason = '';
  ws.on('open', () => {
    const e = encoding.createEncoder(); encoding.writeVarUint(e, 0); syncProtocol.writeSyncStep1(e, new Y.Doc()); ws.send(encoding.toUint8Array(e));
    const sock = ws._socket;
    sock.on('data', d => { got += d.length; budget -= d.length; if (budget <= 0) sock.pause(); });
    const tick = setInterval(() => { if (budget < 1e12) budget = Math.min(budget + rate / 10, rate / 10); if (budget > 0 && !sock.destroyed) sock.resume(); }, 100);
    ws.on('close', () => clearInterval(tick));
  });
  ws.on('message', data => { const b = new Uint8Array(data); if (b[0] === 0 && b[1] === 1 && step2 === null) step2 = { ms: now() - t0, bytes: b.length }; });
  let closedAt = null;
  const closed = new Promise(r => ws.on('close', (c, why) => { code = c; reason = String(why); closedAt = now() - t0; r(); }));
  ws.on('error', err => { errors[err.code || err.message] = (errors[err.code || err.message] || 0) + 1; });
  const limit = Math.ceil(3 * w.state / rate) + 30;
  for (let s = 0; s < limit && code === null && step2 === null; s++) { await sleep(1000); if (s % 10 === 9) log(`slow joiner: ${got} bytes read after ${now() - t0} ms`); }
  // A close frame behind the state arrives after it: read on (fast now) to see whether the server had closed it.
  budget = 1e12; ws._socket.resume(); await Promise.race([closed, sleep(3000)]);
  const end = code === null ? 'still open 3 s after' : `closed ${code} "${reason}" after ${closedAt} ms`;
  if (step2) log(`SLOWJOIN state ${w.state} bytes at ~${rate} bytes/s: step 2 of ${step2.bytes} bytes after ${step2.ms} ms; ${end}`);
  else log(`SLOWJOIN state ${w.state} bytes at ~${rate} bytes/s: NO step 2; ${end}, ${got} bytes read; errors ${JSON.stringify(errors)}`);
  ws.terminate(); await closed.catch(() => {}); w.close(); await sleep(500); process.exit(0);
}

if (MODE === 'slow') {
  const N = +(args.clients || 200), rate = +(args.rate || 2), size = +(args.size || 500), secs = +(args.secs || 30);
  const name = 'busy-' + now();
  const clients = [...Array(N)].map((_, i) => new Client(i, name, i % 2 ? 'y' : 'hp', { cheap: true }));
  const probeW = new Client('pw', name, 'y'), probeR = new Client('pr', name, 'hp');
  const slow = new Client('slow', name, 'y');
  const all = [...clients, probeW, probeR, slow];
  let slowCode = null, slowClosedAt = 0;
  slow.opts.onClose = (c, code) => { slowCode = code; slowClosedAt = now(); };
  for (const c of all) { const p = new Promise(r => { c.opts.onSynced = r; }); c.connect(); await p; }
  log('all synced');
  const lat = { before: [], during: [] }; let phase = 'before';
  probeR.doc.getMap('probe').observe(() => { const v = probeR.doc.getMap('probe').get('t'); if (v) lat[phase].push(now() - v); });
  const probe = setInterval(() => probeW.doc.getMap('probe').set('t', now()), 50);
  const ed = setInterval(() => { for (const c of clients) if (Math.random() < rate / 10) c.edit(size); }, 100);
  await sleep(secs * 500);
  log(`before slow: probe relay p50 ${pct(lat.before, .5)} p99 ${pct(lat.before, .99)} n ${lat.before.length}`);
  phase = 'during'; const pausedAt = now(); slow.ws._socket.pause();
  log('slow reader paused');
  for (let s = 0; s < secs; s++) { await sleep(1000); log(`slow closed ${slowCode} after ${slowClosedAt ? slowClosedAt - pausedAt : '-'} ms; probe p99 so far ${pct(lat.during, .99)} closes ${JSON.stringify(closeCodes)}`); if (slowCode && s > secs / 2) break; }
  slow.ws && slow.ws._socket.resume(); await sleep(3000);
  log(`during slow: probe relay p50 ${pct(lat.during, .5)} p99 ${pct(lat.during, .99)} n ${lat.during.length}; slow closed with ${slowCode} after ${slowClosedAt - pausedAt} ms`);
  log(`closes ${JSON.stringify(closeCodes)} errors ${JSON.stringify(errors)}`);
  clearInterval(probe); clearInterval(ed); all.forEach(c => c.close()); await sleep(500); process.exit(0);
}
