// Yjs: the JavaScript reference of the wire format that collab-core speaks (V1 updates).
import * as Y from 'yjs'
import { packageVersion } from '../measure.mjs'

export const name = 'yjs'
export const version = packageVersion('yjs')
export const encoding = 'Yjs update V1'

class YjsDoc {
  constructor (onUpdate, clientId) {
    this.doc = new Y.Doc()
    if (clientId !== undefined) this.doc.clientID = clientId
    if (onUpdate) this.doc.on('update', u => onUpdate(u))
    this.text = this.doc.getText('text')
    this.array = this.doc.getArray('array')
    this.map = this.doc.getMap('map')
  }

  transact (f) { this.doc.transact(f) }
  insertText (index, s) { this.text.insert(index, s) }
  deleteText (index, n) { this.text.delete(index, n) }
  getText () { return this.text.toString() }
  insertArray (index, values) { this.array.insert(index, values) }
  getArray () { return this.array.toArray() }
  setMap (key, value) { this.map.set(key, value) }
  getMap () { return this.map.toJSON() }
  applyUpdate (u) { Y.applyUpdate(this.doc, u) }
  encode () { return Y.encodeStateAsUpdate(this.doc) }
  free () { this.doc.destroy() }
}

export const create = (onUpdate, { clientId } = {}) => new YjsDoc(onUpdate, clientId)
export const load = bytes => { const d = new YjsDoc(null, undefined); d.applyUpdate(bytes); return d }
