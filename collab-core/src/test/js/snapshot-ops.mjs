// Snapshot, version and PermanentUserData commands of yjs-peer.mjs (see its header for the protocol). Snapshots
// travel as base64 of Y.encodeSnapshot.
//
//   {"op":"snapshot","id":"r1"}                        -> {"snapshot":B64}            Y.encodeSnapshot(Y.snapshot(doc))
//   {"op":"snapshotV2","snapshot":B64}                 -> {"snapshot":B64}            the same snapshot, encodeSnapshotV2
//   {"op":"snapshotFromV2","snapshot":B64}             -> {"snapshot":B64}            decodeSnapshotV2, encodeSnapshot
//   {"op":"reencodeSnapshot","snapshot":B64,"from":"v1"|"v2","to":"v1"|"v2"}
//                                                      -> {"snapshot":B64}            decodeSnapshot(V2), encodeSnapshot(V2)
//   {"op":"emptySnapshot"}                             -> {"snapshot":B64}
//   {"op":"equalSnapshots","a":B64,"b":B64}            -> {"equal":bool}
//   {"op":"snapshotContainsUpdate","snapshot":B64,"update":B64}             -> {"contains":bool}
//   {"op":"atSnapshot","id":"r1","snapshot":B64?,"prevSnapshot":B64?,"ychange":"none"|"client"|"pud",
//    "texts":[name],"arrays":[name],"maps":[name]}
//        -> {"deltas":{name: text.toDelta(snapshot, prevSnapshot, computeYChange)},
//            "arrays":{name: typeListToArraySnapshot}, "maps":{name: typeMapGetAllSnapshot}}  (tagged)
//   {"op":"snapshotTree","id":"r1","roots":{"x":"xml",...},"snapshot":B64,"prevSnapshot":B64?,"ychange":"none"|"client",
//    "merged":bool}  every type reachable from the roots at snapshot, as y-prosemirror renders a version:
//        node = {type: "root:<name>"|"<client>:<clock>", kind, visible? (isVisible of a nested type's item, as Yjs's isVisible),
//                entries (map: typeMapGetAllSnapshot), children (array, XML: typeListToArraySnapshot; with merged,
//                at new Snapshot(prevSnapshot.ds, snapshot.sv)), nodeName and attrs (XML element: getAttributes),
//                delta (text, XML text: toDelta(snapshot, prevSnapshot, computeYChange)), attrs (XML text:
//                typeMapGetAllSnapshot)}, a nested type's value being its node   -> {"tree":{name: node}} (tagged)
//   {"op":"createDocFromSnapshot","id":"r1","snapshot":B64,"newId":"r1-old"}
//        -> {"update":B64} Y.encodeStateAsUpdate of the new doc, kept as newId (gc on, as Yjs makes it)
//   {"op":"pud","id":"r1"}                             new Y.PermanentUserData(doc)          -> {"ok":true}
//   {"op":"setUserMapping","id":"r1","clientId":n,"user":"u"}                               -> {"ok":true}
//   {"op":"pudUsers","id":"r1","ids":[[client,clock],...]}
//        -> {"byClient":[getUserByClientId(client)],"byDeleted":[getUserByDeletedId(id)]}
//
// PermanentUserData records deletions from setTimeout callbacks: for a doc with one, yjs-peer.mjs answers only
// after those timers ran, so that each command's effects are complete when its reply arrives.

import * as Y from 'yjs'
import { fromBase64, getRoot, sharedKind, tag, toBase64 } from './interop.mjs'

const decode = b64 => Y.decodeSnapshot(fromBase64(b64))
const encode = snapshot => toBase64(Y.encodeSnapshot(snapshot))

const ychangeFunction = (mode, pud) => {
  switch (mode) {
    case undefined:
    case 'none':
      return undefined
    case 'client':
      return (type, id) => ({ user: id.client, type })
    case 'pud':
      return (type, id) => ({
        user: type === 'added' ? pud.getUserByClientId(id.client) : pud.getUserByDeletedId(id),
        type
      })
    default:
      throw new Error('unknown ychange mode ' + JSON.stringify(mode))
  }
}

/** Yjs's isVisible, which Yjs 13.6 does not export (y-prosemirror keeps a copy of it too). */
const isVisible = (item, snapshot) => (snapshot.sv.get(item.id.client) || 0) > item.id.clock &&
  !Y.isDeleted(snapshot.ds, item.id)

/** The types reachable from roots at a snapshot, described as the snapshotTree command says. */
const snapshotTree = (doc, cmd) => {
  const snapshot = decode(cmd.snapshot)
  const prev = cmd.prevSnapshot == null ? undefined : decode(cmd.prevSnapshot)
  const listing = cmd.merged && prev !== undefined ? new Y.Snapshot(prev.ds, snapshot.sv) : snapshot
  const computeYChange = ychangeFunction(cmd.ychange)
  const names = new Map()
  const value = v => v instanceof Y.AbstractType ? node(v) : tag(v)
  const node = t => {
    const out = { type: t._item === null ? 'root:' + names.get(t) : t._item.id.client + ':' + t._item.id.clock, kind: sharedKind(t) }
    if (t._item !== null) out.visible = isVisible(t._item, snapshot)
    if (t instanceof Y.Map) {
      const all = Y.typeMapGetAllSnapshot(t, snapshot)
      out.entries = {}
      for (const k of Object.keys(all)) out.entries[k] = value(all[k])
    } else if (t instanceof Y.Array || t instanceof Y.XmlFragment) {
      out.children = Y.typeListToArraySnapshot(t, listing).map(value)
    }
    if (t instanceof Y.XmlElement) {
      out.nodeName = t.nodeName
      out.attrs = tag(t.getAttributes(snapshot))
    }
    if (t instanceof Y.Text) {
      out.delta = t.toDelta(snapshot, prev, computeYChange).map(d => {
        const op = {}
        for (const k of Object.keys(d)) op[k] = k === 'insert' ? value(d.insert) : tag(d[k])
        return op
      })
    }
    if (t instanceof Y.XmlText) out.attrs = tag(Y.typeMapGetAllSnapshot(t, snapshot))
    return out
  }
  const tree = {}
  for (const [name, kind] of Object.entries(cmd.roots)) {
    const root = getRoot(doc, name, kind)
    names.set(root, name)
    tree[name] = node(root)
  }
  return tree
}

/**
 * Handles cmd if it is a snapshot command: returns its reply (or a promise of it), or undefined if cmd is none of
 * these. replica(cmd) returns {doc, updates, pud}; addReplica(id, doc) registers a new doc.
 */
export const handleSnapshotOp = (cmd, replica, addReplica) => {
  switch (cmd.op) {
    case 'snapshot':
      return { snapshot: encode(Y.snapshot(replica(cmd).doc)) }
    case 'snapshotV2':
      return { snapshot: toBase64(Y.encodeSnapshotV2(decode(cmd.snapshot))) }
    case 'snapshotFromV2':
      return { snapshot: encode(Y.decodeSnapshotV2(fromBase64(cmd.snapshot))) }
    case 'reencodeSnapshot': {
      const bytes = fromBase64(cmd.snapshot)
      const snapshot = cmd.from === 'v2' ? Y.decodeSnapshotV2(bytes) : Y.decodeSnapshot(bytes)
      return { snapshot: toBase64(cmd.to === 'v2' ? Y.encodeSnapshotV2(snapshot) : Y.encodeSnapshot(snapshot)) }
    }
    case 'emptySnapshot':
      return { snapshot: encode(Y.emptySnapshot) }
    case 'equalSnapshots':
      return { equal: Y.equalSnapshots(decode(cmd.a), decode(cmd.b)) }
    case 'snapshotContainsUpdate':
      return { contains: Y.snapshotContainsUpdate(decode(cmd.snapshot), fromBase64(cmd.update)) }
    case 'atSnapshot': {
      const r = replica(cmd)
      const snapshot = cmd.snapshot == null ? undefined : decode(cmd.snapshot)
      const prev = cmd.prevSnapshot == null ? undefined : decode(cmd.prevSnapshot)
      const computeYChange = ychangeFunction(cmd.ychange, r.pud)
      const deltas = {}
      const arrays = {}
      const maps = {}
      for (const name of cmd.texts || []) deltas[name] = tag(r.doc.getText(name).toDelta(snapshot, prev, computeYChange))
      for (const name of cmd.arrays || []) arrays[name] = tag(Y.typeListToArraySnapshot(r.doc.getArray(name), snapshot))
      for (const name of cmd.maps || []) maps[name] = tag(Y.typeMapGetAllSnapshot(r.doc.getMap(name), snapshot))
      return { deltas, arrays, maps }
    }
    case 'snapshotTree':
      return { tree: snapshotTree(replica(cmd).doc, cmd) }
    case 'createDocFromSnapshot': {
      const doc = Y.createDocFromSnapshot(replica(cmd).doc, decode(cmd.snapshot))
      addReplica(cmd.newId, doc)
      return { update: toBase64(Y.encodeStateAsUpdate(doc)) }
    }
    case 'pud': {
      const r = replica(cmd)
      r.pud = new Y.PermanentUserData(r.doc)
      return { ok: true }
    }
    case 'setUserMapping': {
      const r = replica(cmd)
      r.pud.setUserMapping(r.doc, cmd.clientId, cmd.user)
      return { ok: true }
    }
    case 'pudUsers': {
      const { pud } = replica(cmd)
      return {
        byClient: cmd.ids.map(([client]) => pud.getUserByClientId(client)),
        byDeleted: cmd.ids.map(([client, clock]) => pud.getUserByDeletedId(Y.createID(client, clock)))
      }
    }
    default:
      return undefined
  }
}
