// Commands of yjs-peer.mjs for relative positions and the UndoManager (kept apart from the document commands so
// that the peer's main switch stays small). Each handler gets the parsed command and the peer's replica lookup,
// and returns the reply, or undefined when the command is not one of these.
//
// Relative positions (types are addressed as {name, kind, key?, path?}: root name and kind, optionally the key of
// a shared type nested in that root map, then child indexes down an XML tree):
//   relPos {id,name,kind,key?,index,assoc}  createRelativePositionFromTypeIndex  -> {encoded:B64, json}
//                                    (or {id,at,roots,index,assoc}: the type at path "at" as pathOps addresses it,
//                                    see peer-observers.mjs)
//   absPos {id,encoded,follow?}      createAbsolutePositionFromRelativePosition -> {abs:null|{type,index,assoc}}
//                                    type: "root:<name>" or "<client>:<clock>" of the item holding the type
//   absPositions {id,encoded:[B64...],follow}  absPos of each -> {abs:[null|{type,index,assoc}|{error}...]}
//   jsonPos {json}                   encodeRelativePosition(createRelativePositionFromJSON(json)) -> {encoded}
//   cursorAwareness {id,style,anchor,head,name?,kind?,key?}  a Lexical- or y-prosemirror-style awareness state
//                                    holding relative positions of that type, as y-protocols encodes it
//                                    -> {update:B64, state}
// UndoManager (one per doc, or several named by um; origins are strings, "um" names the UndoManager itself and
// "otherUm" another one; every UndoManager command takes um? to address a named one):
//   undoManager {id,um?,scope:[{name,kind,key?} or {at,roots}] or "doc",captureTimeout?,trackedOrigins?,
//                ignoreRemoteMapChanges?,deleteFilterKey?,captureOriginNot?,current?}   deleteFilterKey: a map key
//                                    whose entries undo/redo must not delete; captureOriginNot: captureTransaction
//                                    refuses the transactions of that origin; current: each stack event tells whether
//                                    currStackItem was set when it was heard                         -> {ok}
//   addToScope {id,um?,scope}        scope as undoManager's ("doc": the doc itself)                     -> {ok}
//   trackedOrigin {id,um?,origin,add}  addTrackedOrigin (add) or removeTrackedOrigin                    -> {ok}
//   withOrigin {id,origin,ops}       ops in one transaction with that origin                 -> {ok}
//   applyUpdates {id,updates:[B64],v2?}  the updates applied in one transaction (origin 'remote') -> {ok}
//   undo/redo {id,um?,inTransact?,origin?,roots?,before?,after?}  -> {changed:bool}  (inTransact: called inside
//                                    doc.transact with origin, between the pathOps ops before and after)
//   (trackedOrigins and trackedOrigin's origin: "$UndoManager" and "$String" stand for those classes)
//   stopCapturing/clear {id,undo?,redo?} -> {ok}
//   stacks {id}                      -> {undo:n, redo:n, events:[{kind,type,origin,changed}...], changedNow:[[...]]}
//                                    (events since the last call; changed: the changedParentTypes when the event
//                                    was heard, described as absPos does, sorted; changedNow: the same map now)
// Awareness (y-protocols, one per id, apart from the docs):
//   awareness {id,action,...}        new/set/field/apply/remove, each answered with the states (see there)
//   modifyAwarenessUpdate {update,modify}  y-protocols' modifyAwarenessUpdate with one of MODIFIERS -> {update}
// Sync (y-protocols):
//   syncMessage {id,message}         readSyncMessage(message) on doc id, origin 'remote' -> {type, reply: B64 of what
//                                    it wrote (null: nothing), applyError: the update's error (null: none), read:
//                                    bytes consumed}; a message readSyncMessage throws on answers {error}
// Text:
//   cleanupYTextFormatting {id,name}  Y.cleanupYTextFormatting of root text name          -> {removed:n}

import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, modifyAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness'
import { applyOp, fromBase64, getRoot, toBase64 } from './interop.mjs'
import { perform, typeAt } from './peer-observers.mjs'

const typeOf = (doc, cmd) => {
  let t = getRoot(doc, cmd.name, cmd.kind)
  if (cmd.key != null) t = t.get(cmd.key)
  for (const i of cmd.path || []) t = t.get(i) // XML children
  if (!(t instanceof Y.AbstractType)) throw new Error(`no shared type at ${JSON.stringify(cmd)}`)
  return t
}

const describeType = (doc, t) => {
  if (t._item !== null) return `${t._item.id.client}:${t._item.id.clock}`
  for (const [name, root] of doc.share) if (root === t) return 'root:' + name
  throw new Error('type not found')
}

/** Where the encoded relative position is in doc, as absPos describes it. */
const absolute = (doc, encoded, follow) => {
  const abs = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(encoded)), doc, follow)
  return abs === null ? null : { type: describeType(doc, abs.type), index: abs.index, assoc: abs.assoc }
}

const undoManagers = new Map()
/** The key of a command's UndoManager: the doc id, and the name of one of several. */
const umKey = cmd => cmd.um != null ? cmd.id + '/' + cmd.um : cmd.id
/** A scope as undoManager and addToScope take it: "doc", or a list of types addressed by name or by path. */
const scopeOf = (doc, scope) => scope === 'doc' ? doc : scope.map(s => s.at != null ? typeAt(doc, s.roots, s.at) : typeOf(doc, s))

/** A tracked origin as commands give it: "$UndoManager" and "$String" stand for those classes (Yjs matches constructors). */
const trackedOrigin = o => o === '$UndoManager' ? Y.UndoManager : o === '$String' ? String : o

/** The UndoManager of doc id ("undoManager" command), or undefined. */
export const undoManagerOf = id => undoManagers.get(id)?.um
const awarenesses = new Map()

/** State modifiers for modifyAwarenessUpdate, by name (the Java test has the same ones). */
const MODIFIERS = {
  identity: s => s,
  none: s => null,
  wrap: s => ({ state: s, n: 1 }),
  dropA: s => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return s
    const { a, ...rest } = s
    return rest
  }
}

export const handleExtra = (cmd, replica) => {
  switch (cmd.op) {
    case 'relPos': {
      const { doc } = replica(cmd)
      const type = cmd.at != null ? typeAt(doc, cmd.roots, cmd.at) : typeOf(doc, cmd)
      const rpos = Y.createRelativePositionFromTypeIndex(type, cmd.index, cmd.assoc)
      return { encoded: toBase64(Y.encodeRelativePosition(rpos)), json: Y.relativePositionToJSON(rpos) }
    }
    case 'childAt': {
      const child = typeOf(replica(cmd).doc, cmd).get(cmd.index)
      return { child: child === undefined ? null : String(child) }
    }
    case 'absPos':
      return { abs: absolute(replica(cmd).doc, cmd.encoded, cmd.follow !== false) }
    case 'absPositions': {
      const { doc } = replica(cmd)
      return {
        abs: cmd.encoded.map(encoded => {
          try {
            return absolute(doc, encoded, cmd.follow !== false)
          } catch (e) {
            return { error: true }
          }
        })
      }
    }
    case 'jsonPos':
      return { encoded: toBase64(Y.encodeRelativePosition(Y.createRelativePositionFromJSON(cmd.json))) }
    case 'cursorAwareness': {
      const { doc } = replica(cmd)
      const type = typeOf(doc, cmd)
      const awareness = new Awareness(doc)
      const anchor = Y.createRelativePositionFromTypeIndex(type, cmd.anchor)
      const head = Y.createRelativePositionFromTypeIndex(type, cmd.head)
      if (cmd.style === 'lexical') {
        // @lexical/yjs (SyncCursors.ts) puts the RelativePosition objects themselves into the state
        awareness.setLocalState({ name: 'Ann', color: '#f00', focusing: true, anchorPos: anchor, focusPos: head, awarenessData: {} })
      } else {
        // y-prosemirror (cursor-plugin.js) puts their relativePositionToJSON form under "cursor"
        awareness.setLocalState({ user: { name: 'Ann', color: '#f00' }, cursor: { anchor: Y.relativePositionToJSON(anchor), head: Y.relativePositionToJSON(head) } })
      }
      const update = encodeAwarenessUpdate(awareness, [doc.clientID])
      const state = JSON.parse(JSON.stringify(awareness.getLocalState()))
      awareness.destroy()
      return { update: toBase64(update), state }
    }
    case 'awareness': {
      // y-protocols' Awareness of a doc with client id clientId, driven step by step (its timer stopped: the
      // differential test leaves timeouts out). {id, action, ...}: new {clientId}, set {value}, field {field, value},
      // apply {update, origin}, remove {clients, origin}; every action answers what the Awareness holds after it:
      // {log: [[change|update, added, updated, removed, origin]...] since the last answer, states: [[client, state]...]
      // (getStates() order), known: meta's clients, encoded: encodeAwarenessUpdate of the known clients, local}
      let entry = awarenesses.get(cmd.id)
      if (cmd.action === 'new') {
        entry?.aw.destroy()
        const doc = new Y.Doc()
        doc.clientID = cmd.clientId
        const aw = new Awareness(doc)
        clearInterval(aw._checkInterval)
        entry = { aw, log: [] }
        aw.on('change', ({ added, updated, removed }, origin) => entry.log.push(['change', added, updated, removed, origin]))
        aw.on('update', ({ added, updated, removed }, origin) => entry.log.push(['update', added, updated, removed, origin]))
        awarenesses.set(cmd.id, entry)
      }
      const { aw } = entry
      switch (cmd.action) {
        case 'set': aw.setLocalState(cmd.value); break
        case 'field': aw.setLocalStateField(cmd.field, cmd.value); break
        case 'apply': applyAwarenessUpdate(aw, fromBase64(cmd.update), cmd.origin); break
        case 'remove': removeAwarenessStates(aw, cmd.clients, cmd.origin); break
      }
      const log = entry.log
      entry.log = []
      return {
        log,
        states: [...aw.getStates().entries()],
        known: [...aw.meta.keys()],
        encoded: toBase64(encodeAwarenessUpdate(aw, [...aw.meta.keys()])),
        local: aw.getLocalState()
      }
    }
    case 'syncMessage': {
      const { doc } = replica(cmd)
      const decoder = decoding.createDecoder(fromBase64(cmd.message))
      const encoder = encoding.createEncoder()
      let applyError = null
      const type = syncProtocol.readSyncMessage(decoder, encoder, doc, 'remote', e => { applyError = e.message })
      const reply = encoding.length(encoder) === 0 ? null : toBase64(encoding.toUint8Array(encoder))
      return { type, reply, applyError, read: decoder.pos }
    }
    case 'cleanupYTextFormatting':
      return { removed: Y.cleanupYTextFormatting(replica(cmd).doc.getText(cmd.name)) }
    case 'modifyAwarenessUpdate':
      return { update: toBase64(modifyAwarenessUpdate(fromBase64(cmd.update), MODIFIERS[cmd.modify])) }
    case 'undoManager': {
      const { doc } = replica(cmd)
      const scope = scopeOf(doc, cmd.scope)
      const opts = { captureTimeout: cmd.captureTimeout ?? 500, ignoreRemoteMapChanges: cmd.ignoreRemoteMapChanges === true }
      if (cmd.trackedOrigins) opts.trackedOrigins = new Set(cmd.trackedOrigins.map(trackedOrigin))
      if (cmd.deleteFilterKey != null) opts.deleteFilter = item => item.parentSub !== cmd.deleteFilterKey
      if (cmd.captureOriginNot != null) opts.captureTransaction = tr => tr.origin !== cmd.captureOriginNot
      undoManagers.get(umKey(cmd))?.um.destroy()
      const um = new Y.UndoManager(scope, opts)
      const entry = { um, events: [], maps: [], stamps: 0 }
      for (const kind of ['stack-item-added', 'stack-item-updated', 'stack-item-popped']) {
        um.on(kind, e => {
          // stampMeta: an editor's use of meta, a number put on each added item, and every event's meta as heard
          if (cmd.stampMeta && kind === 'stack-item-added') e.stackItem.meta.set('n', ++entry.stamps)
          entry.events.push({
            kind,
            type: e.type,
            origin: e.origin === um ? 'um' : e.origin instanceof Y.UndoManager ? 'otherUm' : (e.origin ?? null),
            changed: [...e.changedParentTypes.keys()].map(t => describeType(doc, t)).sort(),
            ...(cmd.stampMeta ? { meta: Object.fromEntries(e.stackItem.meta) } : {}),
            ...(cmd.current ? { current: um.currStackItem !== null } : {})
          })
          entry.maps.push(e.changedParentTypes)
        })
      }
      um.on('stack-cleared', e => entry.events.push({ kind: 'stack-cleared', undo: e.undoStackCleared, redo: e.redoStackCleared }))
      undoManagers.set(umKey(cmd), entry)
      return { ok: true }
    }
    case 'addToScope':
      undoManagers.get(umKey(cmd)).um.addToScope(scopeOf(replica(cmd).doc, cmd.scope))
      return { ok: true }
    case 'trackedOrigin': {
      const um = undoManagers.get(umKey(cmd)).um
      if (cmd.add) um.addTrackedOrigin(trackedOrigin(cmd.origin))
      else um.removeTrackedOrigin(trackedOrigin(cmd.origin))
      return { ok: true }
    }
    case 'applyUpdates': {
      const { doc } = replica(cmd)
      doc.transact(() => { for (const u of cmd.updates) (cmd.v2 ? Y.applyUpdateV2 : Y.applyUpdate)(doc, fromBase64(u), 'remote') }, 'remote')
      return { ok: true }
    }
    case 'withOrigin': {
      const { doc } = replica(cmd)
      doc.transact(() => { for (const o of cmd.ops) applyOp(doc, o) }, cmd.origin)
      return { ok: true }
    }
    case 'undo':
    case 'redo': {
      const { doc } = replica(cmd)
      const um = undoManagers.get(umKey(cmd)).um
      let res = null
      if (cmd.inTransact) {
        doc.transact(() => {
          for (const op of cmd.before || []) perform(doc, cmd.roots, op)
          res = um[cmd.op]()
          for (const op of cmd.after || []) perform(doc, cmd.roots, op)
        }, cmd.origin ?? null)
      }
      else res = um[cmd.op]()
      return { changed: res != null }
    }
    case 'stopCapturing':
      undoManagers.get(umKey(cmd)).um.stopCapturing()
      return { ok: true }
    case 'clear':
      undoManagers.get(umKey(cmd)).um.clear(cmd.undo !== false, cmd.redo !== false)
      return { ok: true }
    case 'stacks': {
      const entry = undoManagers.get(umKey(cmd))
      const events = entry.events
      // changedNow: each event's changedParentTypes read now (Yjs hands out the transaction's own map)
      const changedNow = entry.maps.map(m => [...m.keys()].map(t => describeType(entry.um.doc, t)).sort())
      entry.events = []
      entry.maps = []
      return { undo: entry.um.undoStack.length, redo: entry.um.redoStack.length, events, changedNow }
    }
    case 'drop':
      for (const [key, entry] of [...undoManagers]) {
        if (key === cmd.id || key.startsWith(cmd.id + '/')) {
          entry.um.destroy()
          undoManagers.delete(key)
        }
      }
      awarenesses.get(cmd.id)?.aw.destroy()
      awarenesses.delete(cmd.id)
      return undefined
    default:
      return undefined
  }
}
