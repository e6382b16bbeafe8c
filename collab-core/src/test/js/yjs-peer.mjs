// A Yjs 13.6 peer for collab-core's differential tests, driven over stdin/stdout:
//
//   node yjs-peer.mjs
//
// Each input line is one JSON command; each command gets exactly one JSON reply line, in order. A command
// that fails gets {"error": "..."} and the peer carries on; nothing but replies is written to stdout.
// Values use the tagged JSON of interop.mjs; bytes travel as base64.
//
// Documents:
//   {"op":"new","id":"r1","clientId":5,"gc":true,"roots":{"t":"text"},"observe":false,"gcKeep":{"root":"t"}}
//                                 create (or replace) doc r1; roots (optional) are defined at once; with
//                                 observe, deep observers on the roots record events (see "events"); gcKeep
//                                 (optional): a gcFilter keeping a root's or a content class's items   -> {"ok":true}
//   {"op":"drop","id":"r1"}                                forget doc r1                   -> {"ok":true}
// Local edits on doc id (each is one transaction; "transact" groups several, given without "id"):
//   insertText {name,index,text,attrs?}  insertEmbed {name,index,embed,attrs?}  deleteText {name,index,len}
//   formatText {name,index,len,attrs}    arrayInsert {name,index,values}        arrayPush {name,values}
//   arrayDelete {name,index,len}         mapSet {name,key,value}                mapDelete {name,key}
//   xmlInsert {name,index,nodes}         xmlDelete {name,index,len}             transact {ops:[...]}
//                                                                                          -> {"ok":true}
// Sync:
//   {"op":"applyUpdate","id":"r1","update":B64}                                  -> {"ok":true}
//   {"op":"changedRoots","id":"r1","update":B64}  applies it; the roots its transaction changed, and whether
//                                anything waits afterwards             -> {"roots":[name...],"pending":bool}
//   {"op":"encodeState","id":"r1","stateVector":B64?}                            -> {"update":B64}
//   {"op":"stateVector","id":"r1"}                                               -> {"stateVector":B64}
//   {"op":"updates","id":"r1"}   update events since the last call, in order     -> {"updates":[B64,...]}
//   {"op":"pending","id":"r1"}   -> {"pending":bool,"pendingStructs":bool,"pendingDs":bool}
//   {"op":"toJSON","id":"r1","roots":{"t":"text","a":"array","m":"map","x":"xml"}}
//                                -> {"values":{name: toJSON()},"deltas":{textName: toDelta()}}
//   {"op":"length","id":"r1","name":"t","kind":"text"}                           -> {"length":n}
// Update algebra (no doc):
//   {"op":"mergeUpdates","updates":[B64,...]}                                     -> {"update":B64}
//   {"op":"diffUpdate","update":B64,"stateVector":B64}                            -> {"update":B64}
//   {"op":"stateVectorFromUpdate","update":B64}                                   -> {"stateVector":B64}
//   {"op":"convertUpdate","update":B64,"to":"v2"|"v1"}                            -> {"update":B64}
//   {"op":"decodeUpdate","update":B64}  Y.decodeUpdate   -> {"structs":[{kind,id,length,origin,...}],"deletes":[[c,k,n]...]}
// Format v2: applyUpdate, encodeState, updates (the 'updateV2' events), mergeUpdates, diffUpdate and
// stateVectorFromUpdate take "v2":true to use Yjs's V2 function instead (applyUpdateV2, encodeStateAsUpdateV2, ...).
//   {"op":"version"}                                                              -> {"yjs":"13.6.33"}
//   {"op":"clock","now":n}   Date.now (and so the UndoManager's captureTimeout) reads n; null: the wall clock again
//                                                                                                   -> {"ok":true}
// Observing (docs created with observe record the events of their roots' deep observers):
//   {"op":"events","id":"r1"}  the events since the last call, in order: {path, kind, delta, keys:[[key,
//                              action, oldValue]...], attributesChanged?, childListChanged?}  -> {"events":[...]}
//   {"op":"log","id":"r1"}     transaction and subdocs events since the last call (see peer-surface.mjs)
//   {"op":"subdocs","id":"r1"} -> {"subdocs":[{guid,shouldLoad,autoLoad,meta}...]} (getSubdocs() order)
//   {"op":"react","id":"r1","reactions":[...]}  observers and doc events that edit the doc when they fire, logged
//                              in "log" (see peer-surface.mjs)                          -> {"ok":true}
//   subdocSet/subdocInsert/subdocLoad/subdocDestroy: operations on subdocuments (see peer-surface.mjs)
//   {"op":"inspect","id":"r1","slices":[[start,end]...],"selectors":[q...]}   key and iteration orders Yjs gives:
//                              {mapKeys: m.keys(), mapValues, xml: x.toString(), slices: a.slice(...),
//                              selected: [[x.querySelectorAll(q) as strings, String(x.querySelector(q))]...]}
// Engine probes:
//   {"op":"sortProbe","n":n,"table":[...]}  sorts 0..n-1 by Array.prototype.sort with the comparator
//                                 (a, b) => table[a * n + b] (any, even inconsistent)     -> {"sorted":[...]}
//   {"op":"quit"}                                                                 -> {"ok":true}, then exits
// Relative positions and the UndoManager: see peer-extras.mjs. Observers on every type, edits by path:
// peer-observers.mjs.
// Snapshots and PermanentUserData: see snapshot-ops.mjs.

import { setClock } from './fake-clock.mjs' // first: before lib0 takes Date.now
import * as Y from 'yjs'
import { createInterface } from 'node:readline'
import { readFileSync } from 'node:fs'
import { applyOp, fromBase64, getRoot, snapshotRoots, tag, toBase64 } from './interop.mjs'
import { applySurfaceOp, describeEvent, handleSurface, observeDoc } from './peer-surface.mjs'
import { handleExtra, undoManagerOf } from './peer-extras.mjs'
import { handleObservers } from './peer-observers.mjs'
import { handleSnapshotOp } from './snapshot-ops.mjs'

// stdout carries replies only: Yjs and lib0 log through console.log (for example "[yjs] Changed the client-id"),
// so everything console prints goes to stderr.
console.log = console.info = console.debug = console.warn = console.error
console.group = console.groupCollapsed = (...args) => console.error(...args)

const YJS_VERSION = JSON.parse(readFileSync(new URL('./node_modules/yjs/package.json', import.meta.url), 'utf8')).version

/** @type {Map<string, {doc: Y.Doc, updates: Uint8Array[]}>} */
const replicas = new Map()

const replica = cmd => {
  const r = replicas.get(cmd.id)
  if (r === undefined) throw new Error(`no doc with id ${JSON.stringify(cmd.id)}`)
  return r
}

const addReplica = (id, doc) => {
  const r = { doc, updates: [], updatesV2: [] }
  doc.on('update', update => r.updates.push(update))
  doc.on('updateV2', update => r.updatesV2.push(update))
  replicas.set(id, r)
  return r
}

/**
 * A gcFilter (Yjs's Doc option) that keeps what gcKeep names from being collected: deleted items of the root
 * gcKeep.root, and deleted items whose content class is gcKeep.content ("ContentString", ...). Undefined: all.
 */
const gcFilterOf = keep => keep == null ? undefined : item => {
  if (keep.content !== undefined && item.content.constructor.name === keep.content) return false
  const p = item.parent
  return !(keep.root !== undefined && p._item === null && p.doc.share.get(keep.root) === p)
}

const idOf = id => id == null ? null : [id.client, id.clock]

/** A struct of Y.decodeUpdate as collab-core's DecodedUpdate.Struct describes it. */
const describeStruct = s => {
  if (!(s instanceof Y.Item)) return { kind: s.constructor.name, id: idOf(s.id), length: s.length }
  const c = s.content
  let values = []
  if (c instanceof Y.ContentString) values = [c.str]
  else if (c instanceof Y.ContentAny || c instanceof Y.ContentJSON) values = c.arr
  else if (c instanceof Y.ContentBinary) values = [c.content]
  else if (c instanceof Y.ContentEmbed) values = [c.embed]
  else if (c instanceof Y.ContentFormat) values = [c.key, c.value]
  else if (c instanceof Y.ContentType) {
    values = [c.type.constructor.name]
    if (c.type instanceof Y.XmlElement) values.push(c.type.nodeName)
    if (c.type instanceof Y.XmlHook) values.push(c.type.hookName)
  } else if (c instanceof Y.ContentDoc) values = [c.doc.guid, c.opts]
  return {
    kind: 'Item',
    id: idOf(s.id),
    length: s.length,
    origin: idOf(s.origin),
    rightOrigin: idOf(s.rightOrigin),
    parent: typeof s.parent === 'string' ? s.parent : idOf(s.parent),
    parentSub: s.parentSub,
    content: c.constructor.name,
    values: tag(values)
  }
}

const handle = cmd => {
  const extra = handleExtra(cmd, replica) ?? handleSurface(cmd, replica) ?? handleObservers(cmd, replica, undoManagerOf)
  if (extra !== undefined) return extra
  const snapshotReply = handleSnapshotOp(cmd, replica, addReplica)
  if (snapshotReply !== undefined) return snapshotReply
  switch (cmd.op) {
    case 'new': {
      const doc = new Y.Doc({ gc: cmd.gc !== false, gcFilter: gcFilterOf(cmd.gcKeep) })
      if (cmd.clientId !== undefined) doc.clientID = cmd.clientId
      const r = addReplica(cmd.id, doc)
      r.events = []
      // Define the roots before any update arrives. Yjs keeps a root that an update reaches first as a plain
      // AbstractType and converts it on the first getText(); the converted YText starts with search markers
      // on even if formatting already arrived, and with markers an insert that inherits attributes at a
      // formatting boundary can land on the other side of the boundary. Defining roots up front avoids that.
      for (const [name, kind] of Object.entries(cmd.roots || {})) {
        const root = getRoot(r.doc, name, kind)
        // Only when asked: computing a text event's delta can change the document (Yjs cleans up formatting
        // then), so a twin must observe exactly when its Java replica does.
        if (cmd.observe) root.observeDeep(events => { for (const e of events) r.events.push(describeEvent(e)) })
      }
      if (cmd.observe) observeDoc(doc, r)
      return { ok: true }
    }
    case 'drop':
      replicas.get(cmd.id)?.doc.destroy()
      replicas.delete(cmd.id)
      return { ok: true }
    case 'applyUpdate':
      ;(cmd.v2 ? Y.applyUpdateV2 : Y.applyUpdate)(replica(cmd).doc, fromBase64(cmd.update), 'remote')
      return { ok: true }
    case 'changedRoots': {
      // Applies the update and names the roots its transaction changed: the types in transaction.changed and
      // the roots above them (what changedParentTypes holds), as the names doc.share keeps them under.
      const doc = replica(cmd).doc
      const roots = new Set()
      const listen = txn => {
        for (const changed of txn.changed.keys()) {
          let type = changed
          while (type._item !== null) type = type._item.parent
          for (const [name, root] of doc.share) if (root === type) roots.add(name)
        }
      }
      doc.on('afterTransaction', listen)
      try {
        Y.applyUpdate(doc, fromBase64(cmd.update), 'remote')
      } finally {
        doc.off('afterTransaction', listen)
      }
      return { roots: [...roots].sort(), pending: doc.store.pendingStructs !== null || doc.store.pendingDs !== null }
    }
    case 'encodeState': {
      const { doc } = replica(cmd)
      const sv = cmd.stateVector == null ? undefined : fromBase64(cmd.stateVector)
      return { update: toBase64((cmd.v2 ? Y.encodeStateAsUpdateV2 : Y.encodeStateAsUpdate)(doc, sv)) }
    }
    case 'stateVector':
      return { stateVector: toBase64(Y.encodeStateVector(replica(cmd).doc)) }
    case 'updates': {
      const r = replica(cmd)
      const key = cmd.v2 ? 'updatesV2' : 'updates'
      const updates = r[key].map(toBase64)
      r[key] = []
      return { updates }
    }
    case 'pending': {
      const { store } = replica(cmd).doc
      const pendingStructs = store.pendingStructs !== null
      const pendingDs = store.pendingDs !== null
      return { pending: pendingStructs || pendingDs, pendingStructs, pendingDs }
    }
    case 'events': {
      const r = replica(cmd)
      const events = r.events
      r.events = []
      return { events }
    }
    case 'inspect': {
      const { doc } = replica(cmd)
      const m = doc.getMap('m')
      const a = doc.getArray('a')
      return {
        mapKeys: [...m.keys()],
        mapValues: tag([...m.values()]),
        xml: doc.getXmlFragment('x').toString(),
        walk: [...doc.getXmlFragment('x').createTreeWalker(() => true)].map(n => String(n)),
        selectP: doc.getXmlFragment('x').querySelectorAll('P').map(n => String(n)),
        selected: (cmd.selectors || []).map(q => [doc.getXmlFragment('x').querySelectorAll(q).map(n => String(n)),
          String(doc.getXmlFragment('x').querySelector(q))]),
        xmlSlice: tag(doc.getXmlFragment('x').slice(-2).map(n => String(n))),
        textAttrs: tag(doc.getText('t').getAttributes()),
        slices: (cmd.slices || []).map(([start, end]) => tag(end === null ? a.slice(start) : a.slice(start, end)))
      }
    }
    case 'toJSON':
      return snapshotRoots(replica(cmd).doc, cmd.roots)
    case 'length':
      return { length: getRoot(replica(cmd).doc, cmd.name, cmd.kind).length }
    case 'decodeUpdate': {
      const { structs, ds } = (cmd.v2 ? Y.decodeUpdateV2 : Y.decodeUpdate)(fromBase64(cmd.update))
      const deletes = [...ds.clients].flatMap(([client, items]) => items.map(i => [client, i.clock, i.len]))
      return { structs: structs.map(describeStruct), deletes }
    }
    case 'mergeUpdates':
      return { update: toBase64((cmd.v2 ? Y.mergeUpdatesV2 : Y.mergeUpdates)(cmd.updates.map(fromBase64))) }
    case 'diffUpdate':
      return { update: toBase64((cmd.v2 ? Y.diffUpdateV2 : Y.diffUpdate)(fromBase64(cmd.update), fromBase64(cmd.stateVector))) }
    case 'stateVectorFromUpdate': {
      const f = cmd.v2 ? Y.encodeStateVectorFromUpdateV2 : Y.encodeStateVectorFromUpdate
      return { stateVector: toBase64(f(fromBase64(cmd.update))) }
    }
    case 'convertUpdate': {
      const f = cmd.to === 'v2' ? Y.convertUpdateFormatV1ToV2 : Y.convertUpdateFormatV2ToV1
      return { update: toBase64(f(fromBase64(cmd.update))) }
    }
    case 'clock':
      setClock(cmd.now)
      return { ok: true }
    case 'version':
      return { yjs: YJS_VERSION }
    case 'sortProbe': {
      const sorted = Array.from({ length: cmd.n }, (_, i) => i)
      sorted.sort((a, b) => cmd.table[a * cmd.n + b])
      return { sorted }
    }
    default:
      if (!applySurfaceOp(replica(cmd).doc, cmd)) applyOp(replica(cmd).doc, cmd)
      return { ok: true }
  }
}

const reply = obj => process.stdout.write(JSON.stringify(obj) + '\n')

// Commands run one after another. A doc with a PermanentUserData records deletions from setTimeout callbacks: its
// commands are answered once those ran, so that each command's effects are complete when its reply arrives.
let quitting = false
let queue = Promise.resolve()
const tick = () => new Promise(resolve => setTimeout(resolve, 0))
const settle = async cmd => {
  const r = replicas.get(cmd.id)
  if (r !== undefined && r.pud !== undefined) {
    // its timers were set before ours (and those they set, before our second)
    await tick()
    await tick()
  }
}
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
lines.on('line', line => {
  if (quitting || line.trim() === '') return
  let cmd
  try {
    cmd = JSON.parse(line)
  } catch (e) {
    queue = queue.then(() => reply({ error: 'not JSON: ' + e.message }))
    return
  }
  if (cmd.op === 'quit') {
    quitting = true
    lines.close()
    queue.then(() => process.stdout.write(JSON.stringify({ ok: true }) + '\n', () => process.exit(0)))
    return
  }
  queue = queue.then(async () => {
    try {
      const result = handle(cmd)
      await settle(cmd)
      reply(result)
    } catch (e) {
      reply({ error: `${cmd.op}: ${e && e.message ? e.message : String(e)}` })
    }
  })
})
// When stdin closes (or after quit) nothing is left to do and Node exits by itself.
