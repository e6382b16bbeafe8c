// Loro (loro-crdt): a Rust CRDT compiled to WebAssembly. A transaction is a commit; its update is what
// subscribeLocalUpdates hands over (synchronously, at the commit). The state is exported as a snapshot, the
// format the Loro team recommends (history plus the encoded state, fast to load).
import { LoroDoc } from 'loro-crdt'
import { packageVersion } from '../measure.mjs'

export const name = 'loro'
export const version = packageVersion('loro-crdt')
export const encoding = 'Loro snapshot'

class LoroAdapter {
  constructor (doc, onUpdate, clientId) {
    this.doc = doc
    if (clientId !== undefined) this.doc.setPeerId(BigInt(clientId))
    if (onUpdate) this.unsubscribe = this.doc.subscribeLocalUpdates(u => onUpdate(u))
    this.text = this.doc.getText('text')
    this.list = this.doc.getList('array')
    this.map = this.doc.getMap('map')
    this.depth = 0
    this.pending = [] // remote updates received inside a transaction, imported together at its end
  }

  transact (f) {
    this.depth++
    try {
      f()
    } finally {
      if (--this.depth === 0) {
        // Importing one batch is Loro's way to take many updates at once (crdt-benchmarks' Loro factory does the
        // same); importing 1,540 concurrent list updates one by one took minutes in B3.4.
        if (this.pending.length > 0) { this.doc.importBatch(this.pending); this.pending = [] }
        this.doc.commit()
      }
    }
  }

  insertText (index, s) { this.transact(() => this.text.insert(index, s)) }
  deleteText (index, n) { this.transact(() => this.text.delete(index, n)) }
  getText () { return this.text.toString() }
  // Loro's list inserts one value per call.
  insertArray (index, values) { this.transact(() => { for (let i = 0; i < values.length; i++) this.list.insert(index + i, values[i]) }) }
  getArray () { return this.list.toArray() }
  setMap (key, value) { this.transact(() => this.map.set(key, value)) }
  getMap () { return this.map.toJSON() }
  applyUpdate (u) { if (this.depth > 0) this.pending.push(u); else this.doc.import(u) }
  encode () { return this.doc.export({ mode: 'snapshot' }) }
  free () {
    this.unsubscribe?.()
    this.text.free(); this.list.free(); this.map.free()
    this.doc.free()
  }
}

export const create = (onUpdate, { clientId } = {}) => new LoroAdapter(new LoroDoc(), onUpdate, clientId)
export const load = bytes => new LoroAdapter(LoroDoc.fromSnapshot(bytes), null, undefined)
