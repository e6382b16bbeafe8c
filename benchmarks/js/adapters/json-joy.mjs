// json-joy: its JSON CRDT, the text in a `str` node (an RGA). Edits go through StrApi.ins/del, which apply to the
// node directly and record the operation in the builder (the fastest public path for local text edits); a
// transaction is one flushed patch, its update the patch's binary encoding. Every document forks the same
// initial model, so that documents created apart can merge.
import { Model, Patch } from 'json-joy/lib/json-crdt/index.js'
import { packageVersion } from '../measure.mjs'

export const name = 'json-joy'
export const version = packageVersion('json-joy')
export const encoding = 'json-joy structural binary model'

const base = Model.create(undefined, 65536)
base.api.set({ text: '', array: [], map: {} })
base.api.flush()
const initial = base.toBinary()

class JsonJoyAdapter {
  constructor (model, onUpdate) {
    this.model = model
    this.onUpdate = onUpdate
    this.str = model.api.str(['text'])
    this.arr = model.api.arr(['array'])
    this.obj = model.api.obj(['map'])
    this.depth = 0
  }

  transact (f) {
    this.depth++
    try {
      f()
    } finally {
      if (--this.depth === 0 && this.onUpdate) {
        const patch = this.model.api.flush()
        if (patch.ops.length > 0) this.onUpdate(patch.toBinary()) // a transaction that only applied remote patches
      }
    }
  }

  insertText (index, s) { this.transact(() => this.str.ins(index, s)) }
  deleteText (index, n) { this.transact(() => this.str.del(index, n)) }
  getText () { return this.str.view() }
  insertArray (index, values) { this.transact(() => this.arr.ins(index, values)) }
  getArray () { return this.arr.view() }
  setMap (key, value) { this.transact(() => this.obj.set({ [key]: value })) }
  getMap () { return this.obj.view() }
  applyUpdate (u) { this.model.applyPatch(Patch.fromBinary(u)) }
  encode () { return this.model.toBinary() }
  free () {}
}

export const create = (onUpdate, { clientId } = {}) => new JsonJoyAdapter(Model.fromBinary(initial).fork(clientId === undefined ? undefined : 65536 + clientId), onUpdate)
export const load = bytes => new JsonJoyAdapter(Model.fromBinary(bytes), null)
