// Automerge (@automerge/automerge): Rust compiled to WebAssembly. Edits go through the document's WebAssembly
// handle (getBackend: splice, insert, put, commit), as Automerge's own edit-trace benchmarks do; the immutable
// JavaScript view that Automerge.change maintains costs far more (11 s instead of well under one for the
// sveltecomponent trace) and no adapter here keeps a materialized view. A transaction is a commit; its update is
// the bytes saveIncremental gives (the new change; 3x cheaper here than getLastLocalChange). Every document starts from the same saved initial document, so that
// documents created apart can merge (as crdt-benchmarks does). Loading is Automerge.load, which also builds the
// JavaScript view of the document.
import * as A from '@automerge/automerge'
import { packageVersion } from '../measure.mjs'

export const name = 'automerge'
export const version = packageVersion('@automerge/automerge')
export const encoding = 'Automerge document (save)'

const initial = A.save(A.from({ text: '', array: [], map: {} }, { actor: '00' }))

const actorOf = clientId => clientId === undefined ? undefined : clientId.toString(16).padStart(8, '0')

class AutomergeAdapter {
  constructor (doc, onUpdate) {
    this.doc = doc
    this.h = A.getBackend(doc)
    // No JavaScript view follows this handle, so the patches it would record for one are not wanted (3x faster).
    this.h.resetDiffCursor()
    this.onUpdate = onUpdate
    this.textId = this.h.getWithType('_root', 'text')[1]
    this.arrayId = this.h.getWithType('_root', 'array')[1]
    this.mapId = this.h.getWithType('_root', 'map')[1]
    this.depth = 0
  }

  transact (f) {
    this.depth++
    try {
      f()
    } finally {
      if (--this.depth === 0) {
        this.h.commit()
        if (this.onUpdate) this.onUpdate(this.h.saveIncremental())
      }
    }
  }

  insertText (index, s) { this.transact(() => this.h.splice(this.textId, index, 0, s)) }
  deleteText (index, n) { this.transact(() => this.h.splice(this.textId, index, n)) }
  getText () { return this.h.text(this.textId) }
  insertArray (index, values) {
    this.transact(() => { for (let i = 0; i < values.length; i++) this.h.insert(this.arrayId, index + i, values[i]) })
  }

  getArray () { return this.h.materialize('/array', undefined, {}) }
  // A string put on a map is a plain value, not a text sequence (what crdt-benchmarks' RawString does).
  setMap (key, value) {
    this.transact(() => {
      if (value !== null && typeof value === 'object') this.h.putObject(this.mapId, key, value)
      else this.h.put(this.mapId, key, value)
    })
  }

  getMap () { return this.h.materialize('/map', undefined, {}) }
  applyUpdate (u) { this.h.loadIncremental(u) }
  encode () { return this.h.save() }
  free () { this.h.free() }
}

export const create = (onUpdate, { clientId } = {}) => new AutomergeAdapter(A.load(initial, { actor: actorOf(clientId) }), onUpdate)
export const load = bytes => new AutomergeAdapter(A.load(bytes), null)
