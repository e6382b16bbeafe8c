// What yjs-peer.mjs records for collab-core's surface tests (YjsSurfacePropertyTest), kept apart from the
// document commands so that the peer's main switch stays small.
//
// A doc created with "observe" records, in r.events, every event of its roots' deep observers, and in r.log its
// transaction events and subdocs events, in the order Yjs emits them:
//   ["beforeAllTransactions"]  ["afterAllTransactions", [local of each transaction of the batch]]
//   ["beforeTransaction", local]  ["beforeObserverCalls", local]  ["afterTransaction", local]
//   ["afterTransactionCleanup", {local, beforeState, afterState, deleteSet, changed}]
//   ["subdocs", {loaded, added, removed}]   (guids, in Set order)
// beforeState/afterState: [[client, clock]...] sorted by client; deleteSet: [[client, clock, len]...];
// changed: [[type, [keys...]]...] with a type written as "root:<name>" or "<client>:<clock>" of its item.

import * as Y from 'yjs'
import { applyOp, fromBase64, getRoot, sharedKind, tag, textRoot, toBase64, untag } from './interop.mjs'

/** A Yjs event as the differential tests compare it. */
export const describeEvent = e => {
  const d = {
    path: e.path,
    kind: sharedKind(e.target),
    delta: tag(e.changes.delta),
    keys: [...e.changes.keys].map(([key, change]) => [key, change.action, tag(change.oldValue)]),
    added: [...e.changes.added].map(i => [i.id.client, i.id.clock, i.length]),
    deleted: [...e.changes.deleted].map(i => [i.id.client, i.id.clock, i.length])
  }
  if (e instanceof Y.YXmlEvent) {
    d.attributesChanged = [...e.attributesChanged]
    d.childListChanged = e.childListChanged
  } else if (e instanceof Y.YMapEvent) {
    d.keysChanged = [...e.keysChanged]
  } else if (e instanceof Y.YTextEvent) {
    d.keysChanged = [...e.keysChanged]
    d.childListChanged = e.childListChanged
  }
  return d
}

const typeName = t => {
  if (t._item === null) {
    for (const [name, root] of t.doc.share) if (root === t) return 'root:' + name
  }
  return t._item.id.client + ':' + t._item.id.clock
}

const sv = m => [...m.entries()].filter(([, clock]) => clock > 0).sort((a, b) => a[0] - b[0])

const describeCleanup = t => {
  const ds = []
  for (const [client, items] of t.deleteSet.clients) for (const i of items) ds.push([client, i.clock, i.len])
  return {
    local: t.local,
    beforeState: sv(t.beforeState),
    afterState: sv(t.afterState),
    deleteSet: ds,
    changed: [...t.changed].map(([type, keys]) => [typeName(type), [...keys]])
  }
}

/** Starts recording doc's transaction and subdocs events into r.log. */
export const observeDoc = (doc, r) => {
  r.log = []
  doc.on('beforeAllTransactions', () => r.log.push(['beforeAllTransactions']))
  doc.on('afterAllTransactions', (d, transactions) => r.log.push(['afterAllTransactions', transactions.map(t => t.local)]))
  doc.on('beforeTransaction', t => r.log.push(['beforeTransaction', t.local]))
  doc.on('beforeObserverCalls', t => r.log.push(['beforeObserverCalls', t.local]))
  doc.on('afterTransaction', t => r.log.push(['afterTransaction', t.local]))
  doc.on('afterTransactionCleanup', t => r.log.push(['afterTransactionCleanup', describeCleanup(t)]))
  doc.on('subdocs', ({ loaded, added, removed }) => r.log.push(['subdocs', {
    loaded: [...loaded].map(d => d.guid),
    added: [...added].map(d => d.guid),
    removed: [...removed].map(d => d.guid)
  }]))
}

/** The subdocument at op.key of root map op.name, or at op.index of root array op.name. */
const subdocAt = (doc, op) => {
  const d = op.key !== undefined ? doc.getMap(op.name).get(op.key) : doc.getArray(op.name).get(op.index)
  return d instanceof Y.Doc ? d : null
}

/**
 * Operations on subdocuments (each is one call, so usually one transaction):
 *   subdocSet {name,key,guid,autoLoad?,gc?,meta?}   a new Doc at key of root map name
 *   subdocInsert {name,index,guid,autoLoad?,...}     a new Doc at index of root array name
 *   subdocLoad {name,key|index}   subdocDestroy {name,key|index}
 *   subdocMove {name,key,to}  the subdocument at key deleted, a new Doc with its guid and options set at key to
 *   transactSurface {ops}     these operations and interop.mjs's in one transaction
 *   getRoot {name,kind}  the root (Yjs integrates a new array or XML fragment in a transaction of its own)
 *   subdocNested {name,key,guid,...}  a new Doc in the shared type at key of root map name (at key "d" of a map,
 *                                     at index 0 of an array; nothing for another kind)
 * and on clones and attributes: cloneSet {name,key,to}  cloneXml {name,index}  textAttr {name,key,value?}
 *   applyDelta {name,delta,sanitize}
 * and on XML texts embedded in a root text (a Y.Text or a Y.XmlText): embedXmlText {name,index,text,attrs}
 *   embedSetAttribute {name,index,key,value}
 * Returns true when op was one of these.
 */
export const applySurfaceOp = (doc, op) => {
  const newDoc = () => new Y.Doc({ guid: op.guid, autoLoad: op.autoLoad === true, gc: op.gc !== false, meta: op.meta ?? null, shouldLoad: op.shouldLoad !== false })
  switch (op.op) {
    case 'subdocSet':
      doc.getMap(op.name).set(op.key, newDoc())
      return true
    case 'subdocInsert':
      doc.getArray(op.name).insert(op.index, [newDoc()])
      return true
    case 'getRoot':
      // {name, kind}: the root, created (or converted from one an update made) if new
      getRoot(doc, op.name, op.kind)
      return true
    case 'subdocNested': {
      const t = doc.getMap(op.name).get(op.key)
      if (t instanceof Y.Map) t.set('d', newDoc())
      else if (t instanceof Y.Array) t.insert(0, [newDoc()])
      return true
    }
    case 'subdocMove': {
      // the subdocument at key of root map name moved to key op.to, as a Yjs user moves one: its reference deleted
      // and a new Doc with its guid and options set, in one transaction
      const m = doc.getMap(op.name)
      const d = m.get(op.key)
      if (d instanceof Y.Doc) {
        doc.transact(() => {
          m.delete(op.key)
          m.set(op.to, new Y.Doc({ guid: d.guid, autoLoad: d.autoLoad, gc: d.gc, meta: d.meta, shouldLoad: d.shouldLoad }))
        })
      }
      return true
    }
    case 'transactSurface':
      // {ops}: these operations and those of interop.mjs, in one transaction
      doc.transact(() => { for (const o of op.ops) if (!applySurfaceOp(doc, o)) applyOp(doc, o) })
      return true
    case 'subdocLoad':
      subdocAt(doc, op)?.load()
      return true
    case 'subdocDestroy':
      subdocAt(doc, op)?.destroy()
      return true
    case 'cloneSet': {
      // the shared type at key of root map name, cloned to key op.to
      const v = doc.getMap(op.name).get(op.key)
      if (v instanceof Y.AbstractType) doc.getMap(op.name).set(op.to, v.clone())
      return true
    }
    case 'cloneXml': {
      // the child at index of fragment name, cloned and appended
      const f = doc.getXmlFragment(op.name)
      const c = f.get(op.index)
      if (c instanceof Y.AbstractType) f.insert(f.length, [c.clone()])
      return true
    }
    case 'embedXmlText': {
      // a new Y.XmlText with attributes attrs and text, embedded at index of the root text name
      const x = new Y.XmlText()
      for (const [k, v] of Object.entries(op.attrs || {})) x.setAttribute(k, untag(v))
      x.insert(0, op.text)
      textRoot(doc, op.name).insertEmbed(op.index, x)
      return true
    }
    case 'embedSetAttribute': {
      // on the shared type embedded at index of the root text name, if one is there
      let at = 0
      for (const d of textRoot(doc, op.name).toDelta()) {
        if (at === op.index && d.insert instanceof Y.AbstractType) d.insert.setAttribute(op.key, untag(op.value))
        at += typeof d.insert === 'string' ? d.insert.length : 1
      }
      return true
    }
    case 'textAttr':
      if (op.value === undefined) doc.getText(op.name).removeAttribute(op.key)
      else doc.getText(op.name).setAttribute(op.key, op.value)
      return true
    case 'applyDelta':
      textRoot(doc, op.name).applyDelta(untag(op.delta), { sanitize: op.sanitize })
      return true
    default:
      return false
  }
}

/**
 * The commands of this file (see yjs-peer.mjs's header); undefined when cmd is not one. Besides log, subdocs and
 * writeOnRemote {id} (see there):
 *   {"op":"parseUpdateMeta","update":B64}        -> {from:[[client,clock]...], to:[...]} (Map order)
 *   {"op":"obfuscateUpdate","update":B64,"opts"?} -> {update:B64}
 *   {"op":"subdocUpdate",...}                    -> {update:B64} (see there)
 *   {"op":"docKeys","id":"r1"}                   -> {keys: Object.keys(doc.toJSON())}
 */
export const handleSurface = (cmd, replica) => {
  switch (cmd.op) {
    case 'log': {
      const r = replica(cmd)
      const log = r.log || []
      r.log = []
      return { log }
    }
    case 'writeOnRemote': {
      // AfterStateDifferentialPropertyTest's shape: an observer of "t" writes into "m" while a remote transaction's
      // cleanup runs; afterState is read by a's and m's observers (before or after that write, as the types changed)
      // and the update event (after it). Logged as [where, local, afterState] (t's observer: [where, local]).
      const r = replica(cmd)
      const { doc } = r
      r.log = []
      const t = doc.getText('t')
      t.observe(e => {
        r.log.push(['t', e.transaction.local])
        if (!e.transaction.local) doc.getMap('m').set('seen', t.length)
      })
      doc.getArray('a').observe(e => r.log.push(['a', e.transaction.local, sv(e.transaction.afterState)]))
      doc.getMap('m').observe(e => r.log.push(['m', e.transaction.local, sv(e.transaction.afterState)]))
      doc.on('update', (u, origin, d, tr) => r.log.push(['update', tr.local, sv(tr.afterState)]))
      return { ok: true }
    }
    case 'react': {
      // Reactions that write into the doc from inside its own events (ReentrantEventsDifferentialPropertyTest):
      // each {on, name?, kind?, limit, describe, ops} fires at most limit times; it logs
      // ["react", on, name, local, event] (the event described only with describe, so that otherwise the later
      // observers are the first to compute it, after the write) and then performs ops, each one a transaction.
      // on: observe / observeDeep (of root name read as kind), beforeTransaction, beforeObserverCalls,
      // afterTransaction, afterTransactionCleanup, update, afterAllTransactions. With adds, a reaction also
      // subscribes a listener to the same event that logs ["added", on, name] (called in the same round for a
      // type's observers, whose list Yjs calls live, and from the next one for the doc's events). With addsDeep
      // ("t", "a", "m": that root; "a/<i>": the Y.Map at index i of a, if one is there), it also subscribes a deep
      // observer there that logs ["addedDeep", addsDeep, local, events] (Yjs 13.6 calls it in the round under way if
      // it was subscribed before the deep observers' round, or if its type observed deeply already).
      const r = replica(cmd)
      const { doc } = r
      r.log = r.log || []
      const listen = (spec, f) => {
        switch (spec.on) {
          case 'observe': getRoot(doc, spec.name, spec.kind).observe(f); break
          case 'observeDeep': getRoot(doc, spec.name, spec.kind).observeDeep(f); break
          default: doc.on(spec.on, f)
        }
      }
      for (const spec of cmd.reactions) {
        let fired = 0
        const react = (local, event) => {
          if (fired >= spec.limit) return
          fired++
          r.log.push(['react', spec.on, spec.name ?? null, local, spec.describe && event ? event() : null])
          if (spec.adds) listen(spec, () => r.log.push(['added', spec.on, spec.name ?? null]))
          if (spec.addsDeep) {
            const [root, index] = spec.addsDeep.split('/')
            let target = getRoot(doc, root, { t: 'text', a: 'array', m: 'map' }[root])
            if (index !== undefined) target = target.get(Number(index))
            if (index === undefined || target instanceof Y.Map) {
              target.observeDeep((es, t) => r.log.push(['addedDeep', spec.addsDeep, t.local, es.map(describeEvent)]))
            }
          }
          for (const o of spec.ops) applyOp(doc, o)
        }
        switch (spec.on) {
          case 'observe':
            getRoot(doc, spec.name, spec.kind).observe(e => react(e.transaction.local, () => describeEvent(e)))
            break
          case 'observeDeep':
            getRoot(doc, spec.name, spec.kind).observeDeep((es, t) => react(t.local, () => es.map(describeEvent)))
            break
          case 'update':
            doc.on('update', (u, origin, d, t) => react(t.local))
            break
          case 'afterAllTransactions':
            doc.on('afterAllTransactions', (d, ts) => react(ts.map(t => t.local)))
            break
          case 'beforeTransaction':
            // Only local ones: a write that joins a remote transaction makes both Yjs and us pick a random client id.
            doc.on('beforeTransaction', t => { if (t.local) react(t.local) })
            break
          default:
            doc.on(spec.on, t => react(t.local))
        }
      }
      return { ok: true }
    }
    case 'parseUpdateMeta': {
      const { from, to } = Y.parseUpdateMeta(fromBase64(cmd.update))
      return { from: [...from.entries()], to: [...to.entries()] }
    }
    case 'obfuscateUpdate':
      return { update: toBase64(Y.obfuscateUpdate(fromBase64(cmd.update), cmd.opts)) }
    case 'parseUpdateMetaV2': {
      const { from, to } = Y.parseUpdateMetaV2(fromBase64(cmd.update))
      return { from: [...from.entries()], to: [...to.entries()] }
    }
    case 'obfuscateUpdateV2':
      return { update: toBase64(Y.obfuscateUpdateV2(fromBase64(cmd.update), cmd.opts)) }
    case 'subdocs': {
      // with full: also each subdocument's gc and collectionid (the flags as booleans: Yjs keeps option values as
      // they came, and uses them as booleans)
      const { doc } = replica(cmd)
      return {
        subdocs: [...doc.getSubdocs()].map(d => cmd.full
          ? { guid: d.guid, shouldLoad: !!d.shouldLoad, autoLoad: !!d.autoLoad, meta: tag(d.meta), gc: !!d.gc, collectionid: tag(d.collectionid) }
          : { guid: d.guid, shouldLoad: d.shouldLoad, autoLoad: d.autoLoad, meta: tag(d.meta) })
      }
    }
    case 'docKeys':
      // {id} -> {keys: Object.keys(doc.toJSON())}
      return { keys: Object.keys(replica(cmd).doc.toJSON()) }
    case 'subdocUpdate': {
      // {client, name, key, guid, opts}: the update of a doc (client id `client`) whose root map name holds at key a
      // subdocument reference carrying exactly opts (tagged; Yjs writes only gc, autoLoad and meta itself, other
      // implementations write more) -> {update:B64}
      const doc = new Y.Doc()
      doc.clientID = cmd.client
      doc.getMap(cmd.name).set(cmd.key, new Y.Doc({ guid: cmd.guid }))
      doc.getMap(cmd.name)._map.get(cmd.key).content.opts = untag(cmd.opts)
      return { update: toBase64(Y.encodeStateAsUpdate(doc)) }
    }
    default:
      return undefined
  }
}
