// ywasm: Rust yrs compiled to WebAssembly, the same wire format as Yjs (V1 updates).
import * as Y from 'ywasm'
import { packageVersion } from '../measure.mjs'

export const name = 'ywasm'
export const version = packageVersion('ywasm')
export const encoding = 'Yjs update V1'

class YwasmDoc {
  constructor (onUpdate, clientId) {
    this.doc = new Y.YDoc(clientId === undefined ? {} : { clientID: clientId })
    if (onUpdate) this.observer = this.doc.onUpdate(u => onUpdate(u))
    this.text = this.doc.getText('text')
    this.array = this.doc.getArray('array')
    this.map = this.doc.getMap('map')
    this.txn = null
  }

  // ywasm operations take an explicit transaction; one is opened per call unless one is open already.
  transact (f) {
    if (this.txn !== null) return f()
    this.txn = this.doc.beginTransaction(null)
    try {
      f()
    } finally {
      const txn = this.txn
      this.txn = null
      txn.free() // commits, which emits the update
    }
  }

  insertText (index, s) { this.transact(() => this.text.insert(index, s, undefined, this.txn)) }
  deleteText (index, n) { this.transact(() => this.text.delete(index, n, this.txn)) }
  getText () { return this.text.toString(this.txn ?? undefined) }
  insertArray (index, values) { this.transact(() => this.array.insert(index, values, this.txn)) }
  getArray () { return this.array.toJson(this.txn ?? undefined) }
  setMap (key, value) { this.transact(() => this.map.set(key, value, this.txn)) }
  getMap () { return this.map.toJson(this.txn ?? undefined) }
  applyUpdate (u) { this.transact(() => this.txn.applyV1(u)) }
  encode () { return Y.encodeStateAsUpdate(this.doc) }
  free () {
    this.observer?.free()
    this.text.free(); this.array.free(); this.map.free()
    this.doc.free()
  }
}

export const create = (onUpdate, { clientId } = {}) => new YwasmDoc(onUpdate, clientId)
export const load = bytes => { const d = new YwasmDoc(null, undefined); d.applyUpdate(bytes); return d }
