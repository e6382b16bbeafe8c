// Commands of yjs-peer.mjs for ObserverEventsDifferentialPropertyTest: observers on every shared type of a doc, and
// edits of types anywhere in it, addressed by a path.
//
//   {"op":"observeAll","id":"r1"}  subscribes an observe and then an observeDeep listener on every shared type of the
//                                  doc not subscribed yet (roots, and every type of an item not deleted), and once an
//                                  afterTransaction and afterTransactionCleanup listener, and once listeners on the
//                                  stack events of the doc's UndoManager of peer-extras.mjs (if it has one by then);
//                                  each logs what it heard:
//                                    ["observe", <type>, event]  ["deep", <type>, [event...]]
//                                    ["afterTransaction", local, origin, [[<type>, [key or null...]]...]] (changed)
//                                    ["afterTransactionCleanup", local]
//                                    [stack-item-added|updated|popped, "undo"|"redo", origin, [<type>...]] (its
//                                    changedParentTypes, sorted)
//                                  event: describeEvent's, with target, currentTarget and its transaction's origin;
//                                  origin: "um" for the UndoManager, else as given (null, "remote"); <type> is
//                                  "root:<name>" or "<client>:<clock>" of the type's item              -> {"ok":true}
//   {"op":"observed","id":"r1"}    the log since the last call                                  -> {"log":[...]}
//   {"op":"pathOps","id":"r1","ops":[op...],"origin"?}  the ops in one transaction (of that origin, else null); each op addresses a type by
//                                  path [root name, step...]: a map's key, a list's index, or a text's position of
//                                  an embedded type (the first step names a root of "roots", read as its kind):
//     map:  set {key,value}  setType {key,kind}  delete {key}
//     array: insert {index,values}  insertType {index,kind}  delete {index,len}
//     text, xmlText: insertText {index,text,attrs?}  format {index,len,attrs}  deleteText {index,len}
//           embedType {index,kind,attrs?}  embed {index,value}  setAttr {key,value?} (xmlText only)
//     xmlFragment, xmlElement: insertXml {index,kind,text?}  deleteXml {index,len}  setAttr {key,value?} (element)
//     kind of a new type: map, array, text, xmlText, xmlElement (named "p"), with some content: a map {k: 1}, an
//     array [1], a text or XML text "in"; an XML text of insertXml holds text.                       -> {"ok":true}
//   {"op":"listGet","id":"r1","name":"a","indices":[...]}  root array a's get(i) for each i, tagged
//                                                                                   -> {"values":[...]}

import * as Y from 'yjs'
import { getRoot, tag, untag } from './interop.mjs'
import { describeEvent } from './peer-surface.mjs'

const nameOf = (doc, t) => {
  if (t._item === null) {
    for (const [name, root] of doc.share) if (root === t) return 'root:' + name
    return 'root:?'
  }
  return t._item.id.client + ':' + t._item.id.clock
}

/** An origin as the Java test describes it: "um" for the doc's UndoManager, else itself (null or 'remote'). */
const originOf = (origin, um) => origin === um && um !== undefined ? 'um' : origin ?? null

const describe = (doc, e, um) => ({
  ...describeEvent(e),
  target: nameOf(doc, e.target),
  currentTarget: nameOf(doc, e.currentTarget),
  origin: originOf(e.transaction.origin, um)
})

const newType = kind => {
  switch (kind) {
    case 'map': { const m = new Y.Map(); m.set('k', 1); return m }
    case 'array': { const a = new Y.Array(); a.insert(0, [1]); return a }
    case 'text': return new Y.Text('in')
    case 'xmlText': { const x = new Y.XmlText(); x.insert(0, 'in'); return x }
    case 'xmlElement': return new Y.XmlElement('p')
    default: throw new Error('unknown kind ' + kind)
  }
}

/** The type at path: [root name, step...]; roots: root name to kind. */
export const typeAt = (doc, roots, path) => {
  let t = getRoot(doc, path[0], roots[path[0]])
  for (const step of path.slice(1)) {
    if (t instanceof Y.Text) {
      let at = 0
      let found = null
      for (const d of t.toDelta()) {
        if (at === step && d.insert instanceof Y.AbstractType) found = d.insert
        at += typeof d.insert === 'string' ? d.insert.length : 1
      }
      t = found
    } else {
      t = t.get(step)
    }
    if (!(t instanceof Y.AbstractType)) throw new Error('no shared type at ' + JSON.stringify(path))
  }
  return t
}

const attrs = op => op.attrs == null ? undefined : untag(op.attrs)

export const perform = (doc, roots, op) => {
  const t = typeAt(doc, roots, op.path)
  switch (op.action) {
    case 'set': t.set(op.key, untag(op.value)); return
    case 'setType': t.set(op.key, newType(op.kind)); return
    case 'delete': if (t instanceof Y.Map) t.delete(op.key); else t.delete(op.index, op.len); return
    case 'insert': t.insert(op.index, untag(op.values)); return
    case 'insertType': t.insert(op.index, [newType(op.kind)]); return
    case 'insertText': t.insert(op.index, op.text, attrs(op)); return
    case 'format': t.format(op.index, op.len, untag(op.attrs)); return
    case 'deleteText': t.delete(op.index, op.len); return
    case 'embedType': t.insertEmbed(op.index, newType(op.kind), attrs(op)); return
    case 'embed': t.insertEmbed(op.index, untag(op.value)); return
    case 'setAttr':
      if (op.value === undefined) t.removeAttribute(op.key)
      else t.setAttribute(op.key, untag(op.value))
      return
    case 'insertXml': {
      let node
      if (op.kind === 'xmlText') {
        node = new Y.XmlText()
        node.insert(0, op.text)
      } else {
        node = new Y.XmlElement('p')
      }
      t.insert(op.index, [node])
      return
    }
    case 'deleteXml': t.delete(op.index, op.len); return
    default: throw new Error('unknown action ' + op.action)
  }
}

const observeAll = (r, undoManager) => {
  const { doc } = r
  if (r.observed === undefined) {
    r.observed = new WeakSet()
    r.olog = []
    const um = undoManager()
    if (um !== undefined) {
      for (const kind of ['stack-item-added', 'stack-item-updated', 'stack-item-popped']) {
        um.on(kind, e => r.olog.push([kind, e.type, originOf(e.origin, um),
          [...e.changedParentTypes.keys()].map(t => nameOf(doc, t)).sort()]))
      }
    }
    doc.on('afterTransaction', tr => r.olog.push(['afterTransaction', tr.local, originOf(tr.origin, um),
      [...tr.changed].map(([type, keys]) => [nameOf(doc, type), [...keys]])]))
    doc.on('afterTransactionCleanup', tr => r.olog.push(['afterTransactionCleanup', tr.local]))
  }
  const subscribe = t => {
    if (r.observed.has(t)) return
    r.observed.add(t)
    t.observe(e => r.olog.push(['observe', nameOf(doc, t), describe(doc, e, undoManager())]))
    t.observeDeep(es => r.olog.push(['deep', nameOf(doc, t), es.map(e => describe(doc, e, undoManager()))]))
  }
  for (const root of doc.share.values()) subscribe(root)
  doc.store.clients.forEach(structs => structs.forEach(s => {
    if (s instanceof Y.Item && !s.deleted && s.content instanceof Y.ContentType) subscribe(s.content.type)
  }))
}

/**
 * The commands of this file; undefined when cmd is not one. undoManagerOf(id) gives the UndoManager of
 * peer-extras.mjs for doc id, if it has one.
 */
export const handleObservers = (cmd, replica, undoManagerOf) => {
  switch (cmd.op) {
    case 'observeAll': {
      const id = cmd.id
      observeAll(replica(cmd), () => undoManagerOf(id))
      return { ok: true }
    }
    case 'observed': {
      const r = replica(cmd)
      const log = r.olog || []
      r.olog = []
      return { log }
    }
    case 'listGet': {
      const a = replica(cmd).doc.getArray(cmd.name)
      return { values: cmd.indices.map(i => tag(a.get(i))) }
    }
    case 'pathOps': {
      const r = replica(cmd)
      r.doc.transact(() => { for (const op of cmd.ops) perform(r.doc, cmd.roots, op) }, cmd.origin ?? null)
      return { ok: true }
    }
    default:
      return undefined
  }
}
