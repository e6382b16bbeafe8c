// Shared by generate-fixtures.mjs and yjs-peer.mjs: the value tagging both sides of the interop tests speak,
// and the operation vocabulary that the Java tests replay against collab-core.
//
// Tagged JSON. Plain JSON cannot carry every value Yjs stores, so the few that it cannot are written as
// objects with a "$type" key (no fixture or random value uses "$type" as a key of its own):
//   {"$type":"undefined"}                    JS undefined          (Java: Undefined.INSTANCE)
//   {"$type":"bigint","value":"-42"}         bigint                (Java: BigInteger)
//   {"$type":"bytes","base64":"AQI="}        Uint8Array            (Java: byte[])
//   {"$type":"number","value":"NaN"}         NaN, Infinity, -Infinity and -0 (Java: Double)
//   {"$type":"doc","guid":"..."}             a subdocument         (Java: a Doc)
//   {"$type":"shared","kind":"map","json":…} a shared type, only where Yjs hands out the type itself
//                                            (a text delta's insert); "json" is its toJSON()
// Everything else is plain JSON. Object key order is significant (Yjs encodes keys in insertion order).

import * as Y from 'yjs'

export const toBase64 = bytes => Buffer.from(bytes).toString('base64')
export const fromBase64 = s => new Uint8Array(Buffer.from(s, 'base64'))

export const sharedKind = t => {
  // Subclasses first: XmlHook extends Map, XmlText extends Text, XmlElement extends XmlFragment.
  if (t instanceof Y.XmlHook) return 'xmlHook'
  if (t instanceof Y.XmlText) return 'xmlText'
  if (t instanceof Y.XmlElement) return 'xmlElement'
  if (t instanceof Y.XmlFragment) return 'xmlFragment'
  if (t instanceof Y.Text) return 'text'
  if (t instanceof Y.Array) return 'array'
  if (t instanceof Y.Map) return 'map'
  throw new Error('unknown shared type ' + t.constructor.name)
}

/**
 * out[k] = value, except that a key "__proto__" becomes an own entry (as JSON.parse makes it) instead of setting the
 * prototype: values carry it as they are, and Yjs decides where it stops being an entry.
 */
const setOwn = (out, k, value) => {
  if (k === '__proto__') Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true })
  else out[k] = value
}

/** A JS value (as Yjs returns it) to tagged JSON. */
export const tag = v => {
  if (v === undefined) return { $type: 'undefined' }
  if (v === null) return null
  switch (typeof v) {
    case 'boolean':
    case 'string':
      return v
    case 'number':
      if (!Number.isFinite(v) || Object.is(v, -0)) return { $type: 'number', value: Object.is(v, -0) ? '-0' : String(v) }
      return v
    case 'bigint':
      return { $type: 'bigint', value: v.toString() }
  }
  if (v instanceof Uint8Array) return { $type: 'bytes', base64: toBase64(v) }
  if (Array.isArray(v)) return v.map(tag)
  if (v instanceof Y.Doc) return { $type: 'doc', guid: v.guid }
  if (v instanceof Y.AbstractType) return { $type: 'shared', kind: sharedKind(v), json: tag(v.toJSON()) }
  if (typeof v === 'object') {
    const out = {}
    for (const k of Object.keys(v)) {
      if (k === '$type') throw new Error('a value uses the reserved key "$type"')
      setOwn(out, k, tag(v[k]))
    }
    return out
  }
  throw new Error('cannot tag a ' + typeof v)
}

/** Tagged JSON to the JS value Yjs should store. */
export const untag = v => {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(untag)
  switch (v.$type) {
    case undefined: {
      const out = {}
      for (const k of Object.keys(v)) setOwn(out, k, untag(v[k]))
      return out
    }
    case 'undefined': return undefined
    case 'bigint': return BigInt(v.value)
    case 'bytes': return fromBase64(v.base64)
    case 'number': return v.value === '-0' ? -0 : Number(v.value)
    default: throw new Error('cannot build a value of $type ' + v.$type)
  }
}

const attrsOf = op => op.attrs == null ? undefined : untag(op.attrs)

/** An XML node description ({element, attrs, children} or {text, attrs}) to a prelim Yjs XML node. */
const xmlNode = d => {
  if (d.text !== undefined) {
    const t = new Y.XmlText()
    t.insert(0, d.text, d.attrs == null ? undefined : untag(d.attrs))
    return t
  }
  const el = new Y.XmlElement(d.element)
  for (const [k, val] of Object.entries(d.attrs || {})) el.setAttribute(k, untag(val))
  if (d.children) el.insert(0, d.children.map(xmlNode))
  return el
}

/**
 * Performs one operation of the shared vocabulary on doc. Each top-level call is one Yjs transaction
 * (as the corresponding collab-core call is); "transact" groups several into one.
 */
export const applyOp = (doc, op) => {
  switch (op.op) {
    case 'transact':
      doc.transact(() => { for (const o of op.ops) applyOp(doc, o) })
      return
    case 'insertText':
      textRoot(doc, op.name).insert(op.index, op.text, attrsOf(op))
      return
    case 'insertEmbed':
      textRoot(doc, op.name).insertEmbed(op.index, untag(op.embed), attrsOf(op))
      return
    case 'deleteText':
      textRoot(doc, op.name).delete(op.index, op.len)
      return
    case 'formatText':
      textRoot(doc, op.name).format(op.index, op.len, untag(op.attrs))
      return
    case 'arrayInsert':
      doc.getArray(op.name).insert(op.index, untag(op.values))
      return
    case 'arrayPush':
      doc.getArray(op.name).push(untag(op.values))
      return
    case 'arrayDelete':
      doc.getArray(op.name).delete(op.index, op.len)
      return
    case 'mapSet':
      doc.getMap(op.name).set(op.key, untag(op.value))
      return
    case 'mapDelete':
      doc.getMap(op.name).delete(op.key)
      return
    case 'mapSetType': {
      const Type = { map: Y.Map, array: Y.Array, text: Y.Text }[op.kind]
      doc.getMap(op.name).set(op.key, new Type())
      return
    }
    case 'nestedInsert': {
      // Edits the shared type at map key op.key, whatever kind it is (twins hold the same kind there).
      const t = doc.getMap(op.name).get(op.key)
      if (t instanceof Y.Text) t.insert(op.index, op.text)
      else if (t instanceof Y.Array) t.insert(op.index, untag(op.values))
      else if (t instanceof Y.Map) t.set(op.text, untag(op.values))
      return
    }
    case 'nestedDelete': {
      const t = doc.getMap(op.name).get(op.key)
      if (t instanceof Y.Text || t instanceof Y.Array) t.delete(op.index, op.len)
      else if (t instanceof Y.Map) t.delete(op.text)
      return
    }
    case 'arrayInsertMap':
      // A new Y.Map at op.index of root array op.name (clamped to its length).
      doc.getArray(op.name).insert(Math.min(op.index, doc.getArray(op.name).length), [new Y.Map()])
      return
    case 'arrayChildSet': {
      // On the Y.Map at op.index of root array op.name, if there is one there.
      const child = op.index < doc.getArray(op.name).length ? doc.getArray(op.name).get(op.index) : null
      if (child instanceof Y.Map) child.set(op.key, untag(op.value))
      return
    }
    case 'xmlInsert':
      doc.getXmlFragment(op.name).insert(op.index, op.nodes.map(xmlNode))
      return
    case 'xmlDelete':
      doc.getXmlFragment(op.name).delete(op.index, op.len)
      return
    case 'xmlSetAttribute': {
      // On the element at op.index of the fragment (nothing happens if that child is not an element).
      const el = doc.getXmlFragment(op.name).get(op.index)
      if (el instanceof Y.XmlElement) {
        if (op.value === undefined) el.removeAttribute(op.key)
        else el.setAttribute(op.key, untag(op.value))
      }
      return
    }
    case 'xmlTextEmbed': {
      // A new shared type of op.kind embedded at op.at of the XML text at op.index (if that child is one).
      const t = doc.getXmlFragment(op.name).get(op.index)
      if (t instanceof Y.XmlText) {
        const Type = { map: Y.Map, array: Y.Array, text: Y.Text, xmlElement: Y.XmlElement, xmlText: Y.XmlText }[op.kind]
        const embed = op.kind === 'xmlElement' ? new Type('em') : new Type()
        t.insertEmbed(Math.min(op.at, t.length), embed)
        if (op.kind === 'map') embed.set('k', 1)
        else if (op.kind === 'array') embed.push([1, 'two'])
        else if (op.kind !== 'xmlElement') embed.insert(0, 'in')
      }
      return
    }
    default:
      throw new Error('unknown op ' + JSON.stringify(op.op))
  }
}

/** The root text called name: a Y.Text, or the Y.XmlText defined there (doc.getText would throw for one). */
export const textRoot = (doc, name) => {
  const t = doc.share.get(name)
  return t instanceof Y.Text ? t : doc.getText(name)
}

/** The root of doc called name, read as kind: "text", "xmlText", "array", "map" or "xml" (an XmlFragment). */
export const getRoot = (doc, name, kind) => {
  switch (kind) {
    case 'text': return doc.getText(name)
    case 'xmlText': return doc.get(name, Y.XmlText)
    case 'array': return doc.getArray(name)
    case 'map': return doc.getMap(name)
    case 'xml': return doc.getXmlFragment(name)
    case 'xmlElement': return doc.getXmlElement(name)
    default: throw new Error('unknown root kind ' + JSON.stringify(kind))
  }
}

/** {values, deltas}: each root's tagged toJSON(), and each text root's tagged toDelta(). */
export const snapshotRoots = (doc, roots) => {
  const values = {}
  const deltas = {}
  for (const [name, kind] of Object.entries(roots)) {
    const type = getRoot(doc, name, kind)
    values[name] = tag(type.toJSON())
    if (kind === 'text' || kind === 'xmlText') deltas[name] = tag(type.toDelta())
  }
  return { values, deltas }
}
