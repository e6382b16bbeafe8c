// Generates the Yjs interop fixtures that collab-core's YjsFixturesTest replays:
//
//   node generate-fixtures.mjs          (from this folder, after `npm ci`)
//   node generate-fixtures.mjs --check  writes nothing; exits 1 if the committed fixtures differ from what
//                                       the installed yjs produces now
//
// Writes ../resources/fixtures/yjs/<name>.bin and <name>.json (documents),
// ../resources/fixtures/yjs/events/<name>.json (update-event scripts) and ../resources/fixtures/yjs/v2/<name>.json
// (each document in update format v2, with Yjs's v2 update algebra on it). The output is deterministic: every
// client ID, subdocument guid and random choice is fixed, so a re-run with the same yjs version rewrites
// the same bytes. Each document fixture is checked here first: a fresh Yjs doc that applies the update
// (whole, per transaction in order, and per transaction in reverse order) must re-encode it byte for byte,
// so the Java side may demand exactly that.

import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { applyOp, snapshotRoots, tag, toBase64 } from './interop.mjs'

const OUT = fileURLToPath(new URL('../resources/fixtures/yjs/', import.meta.url))
const EVENTS_OUT = OUT + 'events/'
const V2_OUT = OUT + 'v2/'

// ---------------------------------------------------------------------------------------------------------
// Scenario plumbing

/** Peers of one scenario run: every doc has a fixed client ID and records its update events. */
class Ctx {
  constructor (gc) {
    this.gc = gc
  }

  peer (clientId) {
    const doc = new Y.Doc({ gc: this.gc })
    doc.clientID = clientId
    doc.recorded = []
    doc.recordedV2 = []
    doc.on('update', update => doc.recorded.push(update))
    doc.on('updateV2', update => doc.recordedV2.push(update))
    return doc
  }

  /** Delivers to `to` what it lacks from `from` (one update, one transaction on `to`). */
  send (from, to) {
    Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), 'sync')
  }

  /** Full mesh sync until every doc has every struct. */
  syncAll (...docs) {
    for (let round = 0; round < 2; round++) {
      for (const a of docs) for (const b of docs) if (a !== b) this.send(a, b)
    }
  }
}

/** Inserts legacy ContentJSON (content ref 2) the way Yjs < 13 did: Yjs 13 reads it but never writes it. */
const insertLegacyJson = (doc, yarray, index, values) => {
  doc.transact(transaction => {
    let left = null
    let right = yarray._start
    let i = index
    while (right !== null && i > 0) {
      if (!right.deleted && right.countable) {
        if (i < right.length) {
          Y.getItemCleanStart(transaction, Y.createID(right.id.client, right.id.clock + i))
          left = right
          right = right.right
          break
        }
        i -= right.length
      }
      left = right
      right = right.right
    }
    const client = doc.clientID
    new Y.Item(Y.createID(client, Y.getState(doc.store, client)), left, left && left.lastId, right, right && right.id,
      yarray, null, new Y.ContentJSON(values)).integrate(transaction, 0)
  })
}

/** Sets map[key] to a legacy ContentJSON item. */
const setLegacyJson = (doc, ymap, key, value) => {
  doc.transact(transaction => {
    const left = ymap._map.get(key) || null
    const client = doc.clientID
    new Y.Item(Y.createID(client, Y.getState(doc.store, client)), left, left && left.lastId, null, null, ymap, key,
      new Y.ContentJSON([value])).integrate(transaction, 0)
  })
}

// Every value lib0's writeAny distinguishes: undefined, null, booleans, varints, float32, float64 (incl.
// the non-finite ones and -0), bigint, strings, Uint8Array, arrays and objects, nested.
const ANY_VALUES = {
  undef: undefined,
  nil: null,
  yes: true,
  no: false,
  zero: 0,
  one: 1,
  minusOne: -1,
  int31max: 2 ** 31 - 1,
  int31min: -(2 ** 31 - 1),
  int32: 2 ** 31,
  int32neg: -(2 ** 31) - 1,
  int40: 2 ** 40,
  safeMax: Number.MAX_SAFE_INTEGER,
  half: 0.5,
  quarterNeg: -0.25,
  tenth: 0.1,
  huge: 1e300,
  tiny: 5e-324,
  negZero: -0,
  nan: NaN,
  inf: Infinity,
  negInf: -Infinity,
  bigZero: 0n,
  bigOne: 1n,
  bigNeg: -1n,
  bigMax: 2n ** 63n - 1n,
  bigMin: -(2n ** 63n),
  empty: '',
  str: 'text',
  unicode: 'ünïcödé ✓ 😀 𝄞',
  bytes: new Uint8Array([0, 1, 2, 254, 255]),
  noBytes: new Uint8Array(0),
  list: [1, 'two', [3, [4.5]], null, undefined, true, 7n, new Uint8Array([9])],
  emptyList: [],
  object: { a: 1, b: { c: [true, null], d: 'x' }, u: undefined, bin: new Uint8Array([1, 2, 3]), big: -9n },
  emptyObject: {}
}

// ---------------------------------------------------------------------------------------------------------
// Document scenarios. Each returns { doc, roots } where doc is the peer whose state and update events
// become the fixture, and roots names each root type with the kind it is read as.

const scenarios = []
const scenario = (name, description, build, gcVariants = [true, false]) => scenarios.push({ name, description, build, gcVariants })

scenario('empty', 'A document with nothing in it.', ctx => {
  return { doc: ctx.peer(1), roots: {} }
}, [true])

scenario('text-basic', 'One client: inserts, splits, deletes, formatting with object values and removal, embeds with attributes, emoji.', ctx => {
  const d = ctx.peer(1)
  const t = d.getText('content')
  t.insert(0, 'Hello world')
  t.insert(5, ',')
  t.insert(t.length, ' 😀👍🏽 emoji 𝄞')
  t.format(0, 5, { bold: true })
  t.format(7, 5, { italic: true, link: { href: 'https://example.com', target: null } })
  t.insertEmbed(6, { image: 'cat.png', size: [1, 2] }, { width: 100 })
  t.insert(0, 'Title\n', { header: 1 })
  t.delete(2, 3)
  t.format(0, 3, { header: null })
  t.insert(9, 'inherits')
  t.insert(9, 'explicit', {})
  d.transact(() => {
    t.insert(t.length, '!')
    t.delete(1, 1)
    t.format(3, 4, { color: '#ff0000', bold: null })
  })
  t.insertEmbed(t.length, { formula: 'e=mc^2' })
  const notes = d.getText('notes')
  notes.insert(0, 'temporary text that will be removed')
  notes.delete(0, notes.length)
  notes.insert(0, 'kept')
  return { doc: d, roots: { content: 'text', notes: 'text' } }
})

scenario('text-surrogate-split', 'Yjs replaces a surrogate pair split by an insert or a delete with U+FFFD on both sides.', ctx => {
  const d = ctx.peer(7)
  const t = d.getText('t')
  t.insert(0, 'a😀b🎉c👍🏽d')
  t.insert(2, 'X') // between the two halves of 😀
  t.delete(6, 1) // the low half of 🎉
  return { doc: d, roots: { t: 'text' } }
})

scenario('text-concurrent', 'Three clients insert, delete and format at the same positions concurrently (origin and rightOrigin conflicts).', ctx => {
  const a = ctx.peer(1)
  const b = ctx.peer(2)
  const c = ctx.peer(3000000000)
  a.getText('t').insert(0, 'abcdef')
  ctx.syncAll(a, b, c)
  a.getText('t').insert(1, 'AAA')
  b.getText('t').insert(1, 'BBB')
  c.getText('t').insert(1, 'CCC')
  c.getText('t').insert(7, 'cc')
  ctx.send(b, a)
  ctx.send(c, b)
  ctx.send(a, c)
  a.getText('t').delete(0, 4)
  b.getText('t').format(1, 6, { bold: true })
  c.getText('t').insert(3, 'italic', { italic: true })
  c.getText('t').format(0, 2, { bold: null })
  ctx.send(c, a)
  a.getText('t').insert(a.getText('t').length, 'end-a')
  b.getText('t').insert(b.getText('t').length, 'end-b')
  ctx.syncAll(a, b, c)
  b.getText('t').delete(2, 5)
  c.getText('t').insert(2, 'Z')
  ctx.syncAll(c, b, a)
  return { doc: a, roots: { t: 'text' } }
})

scenario('any-values', 'Every any value type (ContentAny) in a map and nested in arrays and objects.', ctx => {
  const d = ctx.peer(11)
  const m = d.getMap('m')
  for (const [k, v] of Object.entries(ANY_VALUES)) {
    if (!(v instanceof Uint8Array)) m.set(k, v)
  }
  const a = d.getArray('a')
  // An array insert takes only JSON-like values at the top level (undefined and bigint throw in Yjs);
  // everything else rides inside arrays and objects.
  a.insert(0, [null, true, false, 0, -1, 2 ** 31 - 1, 2 ** 31, 0.5, 0.1, 1e300, -0, NaN, Infinity, '', 'unicode 😀'])
  a.push([[undefined, 1n, -(2n ** 63n), new Uint8Array([1, 2])], { u: undefined, b: 2n ** 63n - 1n, bytes: new Uint8Array(0) }])
  a.push([ANY_VALUES.list, ANY_VALUES.object, [], {}])
  a.insert(3, ['inserted in the middle'])
  a.delete(1, 1)
  return { doc: d, roots: { m: 'map', a: 'array' } }
})

scenario('binary', 'Uint8Array at the top level (ContentBinary) in arrays and maps, mixed with any values.', ctx => {
  const d = ctx.peer(12)
  const a = d.getArray('a')
  a.insert(0, [1, new Uint8Array([1, 2, 3]), 'x', new Uint8Array(0), new Uint8Array([255])])
  a.insert(2, [new Uint8Array(300).map((_, i) => i & 0xff)])
  a.delete(4, 1)
  const m = d.getMap('m')
  m.set('bin', new Uint8Array([222, 173, 190, 239]))
  m.set('empty', new Uint8Array(0))
  m.set('replaced', new Uint8Array([1]))
  m.set('replaced', new Uint8Array([2]))
  return { doc: d, roots: { a: 'array', m: 'map' } }
})

scenario('json-legacy', 'Legacy ContentJSON items (content ref 2) in an array and a map, split by later edits.', ctx => {
  const d = ctx.peer(13)
  const a = d.getArray('a')
  a.push(['before'])
  insertLegacyJson(d, a, 1, [1, 'two', { three: 3, nested: [true, null] }, [4], null, true, undefined, 0.1, 1e21, -5, 1.5e-7, 'ü😀'])
  a.insert(4, ['any in the middle'])
  a.delete(7, 2)
  insertLegacyJson(d, a, a.length, [{}])
  const m = d.getMap('m')
  setLegacyJson(d, m, 'json', { legacy: true, list: [1, 2] })
  setLegacyJson(d, m, 'undef', undefined)
  setLegacyJson(d, m, 'overwritten', 'old')
  m.set('overwritten', 'new')
  return { doc: d, roots: { a: 'array', m: 'map' } }
})

scenario('map-overwrite', 'Local and concurrent overwrites and deletes of map keys, including a nested type replaced by a value.', ctx => {
  const a = ctx.peer(1)
  const b = ctx.peer(2)
  const c = ctx.peer(3)
  const ma = a.getMap('m')
  ma.set('k1', 1)
  ma.set('k1', 2)
  ma.set('k1', 3)
  ma.set('gone', 'x')
  ma.delete('gone')
  ctx.syncAll(a, b, c)
  ma.set('k1', 'a')
  b.getMap('m').set('k1', 'b')
  c.getMap('m').delete('k1')
  b.getMap('m').set('k2', 'b')
  c.getMap('m').set('k2', 'c')
  const nested = new Y.Map()
  c.getMap('m').set('nested', nested)
  nested.set('inner', new Y.Array())
  nested.get('inner').push(['deep', 1, 2, 3])
  ctx.syncAll(a, b, c)
  b.getMap('m').set('nested', 'replaced by a value')
  a.getMap('m').set('k3', { v: 1 })
  c.getMap('m').set('k3', { v: 2 })
  ctx.syncAll(b, c, a)
  for (let i = 0; i < 5; i++) ma.set('counter', i)
  ctx.syncAll(a, b, c)
  return { doc: a, roots: { m: 'map' } }
})

scenario('nested', 'Shared types nested five levels deep, prelim types, a type embedded in text, deleted subtrees.', ctx => {
  const d = ctx.peer(21)
  const e = ctx.peer(22)
  const root = d.getMap('root')
  const list = new Y.Array()
  root.set('list', list)
  const m2 = new Y.Map()
  list.push([m2])
  const title = new Y.Text()
  m2.set('title', title)
  title.insert(0, 'deep', { bold: true })
  const children = new Y.Array()
  m2.set('children', children)
  const m3 = new Y.Map()
  children.insert(0, [m3, 'leaf', new Y.Text('prelim text')])
  m3.set('level', 4)
  const items = new Y.Array()
  m3.set('items', items)
  const prelimMap = new Y.Map()
  prelimMap.set('prelim', true)
  const prelimArray = new Y.Array()
  prelimArray.push([1, 2, new Y.Map()])
  items.push([prelimMap, prelimArray, 5])
  // a subtree that is filled and then deleted: with gc its contents become GC structs
  const temp = new Y.Array()
  root.set('temp', temp)
  temp.push([1, 2, 3, new Y.Text('to be collected'), new Y.Map()])
  temp.get(4).set('x', new Y.Array())
  root.delete('temp')
  list.insert(0, [new Y.Map()])
  list.get(0).set('short-lived', new Y.Text('gone'))
  list.delete(0, 1)
  // text with a shared type embedded
  const doc = d.getText('doc')
  doc.insert(0, 'before  after')
  const embedded = new Y.Map()
  doc.insertEmbed(7, embedded, { inline: true })
  embedded.set('kind', 'mention')
  embedded.set('content', new Y.Text('@someone'))
  const arr = d.getArray('arr')
  arr.push([new Y.Array(), new Y.Map(), new Y.Text()])
  arr.get(0).push([new Y.Array()])
  arr.get(0).get(0).push([new Y.Array()])
  arr.get(0).get(0).get(0).push(['level 4'])
  // a concurrent edit by a second client into the deep structure
  ctx.syncAll(d, e)
  e.getMap('root').get('list').get(0).get('children').insert(1, ['from e'])
  title.insert(4, ' and deeper')
  e.getMap('root').get('list').get(0).get('title').insert(0, 'e: ')
  ctx.syncAll(d, e)
  return { doc: d, roots: { root: 'map', doc: 'text', arr: 'array' } }
})

scenario('xml', 'XmlFragment with XmlElements (attributes, nesting), XmlText with formatting, nested XmlFragment, XmlHook, concurrent edits.', ctx => {
  const d = ctx.peer(31)
  const e = ctx.peer(32)
  const frag = d.getXmlFragment('pm')
  const heading = new Y.XmlElement('heading')
  heading.setAttribute('level', '1')
  const headingText = new Y.XmlText()
  heading.insert(0, [headingText])
  const p = new Y.XmlElement('paragraph')
  p.setAttribute('align', 'left')
  p.setAttribute('class', 'intro')
  const pText = new Y.XmlText()
  const image = new Y.XmlElement('image')
  image.setAttribute('src', 'cat.png')
  frag.insert(0, [heading, p])
  headingText.insert(0, 'Title')
  p.insert(0, [pText, image])
  pText.insert(0, 'Hello bold and linked world')
  pText.format(6, 4, { bold: {} })
  pText.format(15, 6, { link: { href: 'https://example.com' } })
  pText.insert(0, 'Em ', { em: {} })
  p.setAttribute('align', 'center')
  p.removeAttribute('class')
  const list = new Y.XmlElement('bullet_list')
  const item = new Y.XmlElement('list_item')
  const itemP = new Y.XmlElement('paragraph')
  const itemText = new Y.XmlText('prelim item text')
  itemP.insert(0, [itemText])
  item.insert(0, [itemP])
  list.insert(0, [item])
  frag.push([list])
  const removed = new Y.XmlElement('removed')
  removed.insert(0, [new Y.XmlText('gone')])
  frag.insert(1, [removed])
  frag.delete(1, 1)
  ctx.syncAll(d, e)
  e.getXmlFragment('pm').insert(1, [new Y.XmlElement('horizontal_rule')])
  frag.insert(1, [new Y.XmlElement('code_block')])
  ctx.syncAll(d, e)
  // nested XmlFragment and XmlHook (a hook's toString() is not markup, so hooks live outside the fragment)
  const meta = d.getMap('meta')
  const nestedFrag = new Y.XmlFragment()
  meta.set('caption', nestedFrag)
  nestedFrag.insert(0, [new Y.XmlText('caption text')])
  const hook = new Y.XmlHook('custom-widget')
  meta.set('hook', hook)
  hook.set('state', { open: true })
  const hooks = d.getArray('hooks')
  const hook2 = new Y.XmlHook('another')
  hooks.push([hook2, new Y.XmlElement('standalone')])
  hook2.set('n', 1)
  hooks.get(1).setAttribute('a', 'b')
  return { doc: d, roots: { pm: 'xml', meta: 'map', hooks: 'array' } }
})

scenario('subdocs', 'Subdocuments (ContentDoc) in a map and an array, with meta, autoLoad and gc options; one deleted.', ctx => {
  const d = ctx.peer(41)
  const m = d.getMap('m')
  m.set('plain', new Y.Doc({ guid: 'sub-plain' }))
  m.set('meta', new Y.Doc({ guid: 'sub-meta', meta: { title: 'Chapter 1', n: 1 }, autoLoad: true }))
  const a = d.getArray('a')
  a.push([new Y.Doc({ guid: 'sub-nogc', gc: false }), 'between', new Y.Doc({ guid: 'sub-deleted' })])
  a.delete(2, 1)
  m.set('replaced', new Y.Doc({ guid: 'sub-replaced' }))
  m.set('replaced', 'by a value')
  return { doc: d, roots: { m: 'map', a: 'array' } }
})

scenario('random-mesh', 'Three clients (one with client ID 2^32-1) make 300 seeded random edits on text, array and map with partial syncs.', ctx => {
  const gen = prng.create(20240601)
  const docs = [ctx.peer(10), ctx.peer(20), ctx.peer(4294967295)]
  // No surrogate pairs here: when a random edit splits one, Yjs's own result depends on the order in which
  // updates arrive (text-surrogate-split pins that case on its own).
  const words = ['a', 'bc', 'def', 'ghij', 'ж€', 'ünï', ' ', '\n']
  for (let step = 0; step < 300; step++) {
    const d = prng.oneOf(gen, docs)
    const t = d.getText('t')
    const a = d.getArray('a')
    const m = d.getMap('m')
    switch (prng.int31(gen, 0, 9)) {
      case 0:
      case 1:
        t.insert(prng.int31(gen, 0, t.length), prng.oneOf(gen, words), prng.bool(gen) ? undefined : prng.oneOf(gen, [{}, { bold: true }, { italic: true, size: 2 }]))
        break
      case 2:
        if (t.length > 0) {
          const i = prng.int31(gen, 0, t.length - 1)
          t.delete(i, prng.int31(gen, 1, Math.min(5, t.length - i)))
        }
        break
      case 3:
        if (t.length > 0) {
          const i = prng.int31(gen, 0, t.length - 1)
          t.format(i, prng.int31(gen, 1, t.length - i), prng.oneOf(gen, [{ bold: true }, { bold: null }, { italic: true }, { link: 'x' }]))
        }
        break
      case 4:
        a.insert(prng.int31(gen, 0, a.length), [prng.int31(gen, -1000, 1000), prng.word(gen, 0, 4)])
        break
      case 5:
        if (a.length > 0) {
          const i = prng.int31(gen, 0, a.length - 1)
          a.delete(i, prng.int31(gen, 1, Math.min(3, a.length - i)))
        }
        break
      case 6:
        m.set(prng.oneOf(gen, ['x', 'y', 'z']), prng.oneOf(gen, [1, 'two', null, { deep: [1] }, new Uint8Array([7])]))
        break
      case 7:
        m.delete(prng.oneOf(gen, ['x', 'y', 'z']))
        break
      case 8: {
        const sub = new Y.Array()
        a.insert(prng.int31(gen, 0, a.length), [sub])
        sub.push([prng.word(gen, 1, 3)])
        break
      }
      default:
        ctx.send(d, prng.oneOf(gen, docs.filter(x => x !== d)))
    }
  }
  ctx.syncAll(...docs)
  return { doc: docs[0], roots: { t: 'text', a: 'array', m: 'map' } }
})

// ---------------------------------------------------------------------------------------------------------
// Update-event scripts: a fixed client performs the ops one by one; each op's update events are pinned.

const eventScripts = []
const script = (name, description, clientId, gc, ops, roots) => eventScripts.push({ name, description, clientId, gc, ops, roots })

script('events-text', 'Text inserts (with inherited, explicit and empty attributes), deletes, formatting, embeds, emoji.', 42, true, [
  { op: 'insertText', name: 't', index: 0, text: 'Hello' },
  { op: 'insertText', name: 't', index: 5, text: ' world' },
  { op: 'insertText', name: 't', index: 0, text: 'Bold ', attrs: { bold: true } },
  { op: 'insertText', name: 't', index: 5, text: 'inherits-bold ' },
  { op: 'insertText', name: 't', index: 5, text: 'plain ', attrs: {} },
  { op: 'formatText', name: 't', index: 0, len: 8, attrs: { italic: true, link: { href: 'https://example.com' } } },
  { op: 'formatText', name: 't', index: 2, len: 3, attrs: { bold: null } },
  { op: 'formatText', name: 't', index: 2, len: 3, attrs: { bold: null } },
  { op: 'deleteText', name: 't', index: 3, len: 4 },
  { op: 'deleteText', name: 't', index: 3, len: 0 },
  { op: 'insertEmbed', name: 't', index: 1, embed: { image: 'cat.png' }, attrs: { width: 20 } },
  { op: 'insertEmbed', name: 't', index: 0, embed: { formula: 'x^2' } },
  { op: 'insertText', name: 't', index: 2, text: '😀👍🏽𝄞' },
  { op: 'deleteText', name: 't', index: 2, len: 2 },
  { op: 'transact', ops: [
    { op: 'insertText', name: 't', index: 0, text: 'A' },
    { op: 'insertText', name: 't', index: 1, text: 'B', attrs: { header: 2 } },
    { op: 'deleteText', name: 't', index: 4, len: 2 },
    { op: 'formatText', name: 't', index: 0, len: 3, attrs: { color: 'red' } }
  ] },
  { op: 'insertText', name: 'other', index: 0, text: 'second root' },
  { op: 'deleteText', name: 'other', index: 0, len: 11 }
], { t: 'text', other: 'text' })

script('events-text-surrogates', 'Inserting into and deleting half of a surrogate pair (both halves become U+FFFD).', 3000000001, true, [
  { op: 'insertText', name: 't', index: 0, text: 'a😀b🎉c' },
  { op: 'insertText', name: 't', index: 2, text: 'X' },
  { op: 'deleteText', name: 't', index: 6, len: 1 }
], { t: 'text' })

script('events-array', 'Array inserts and pushes of any values and binaries (packing into ContentAny/ContentBinary), deletes.', 7, true, [
  { op: 'arrayPush', name: 'a', values: [1, 'two', { x: true }] },
  { op: 'arrayInsert', name: 'a', index: 0, values: [null, false, 0.5, -7, 2147483647, 2147483648, 1e300] },
  { op: 'arrayInsert', name: 'a', index: 3, values: ['ü😀', tag(new Uint8Array([1, 2, 3])), tag(new Uint8Array(0)), [1, [2, [3]]]] },
  { op: 'arrayPush', name: 'a', values: [{ nested: { u: tag(undefined), big: tag(12345678901234567890n), bytes: tag(new Uint8Array([9])) } }, [tag(undefined), tag(-1n)]] },
  { op: 'arrayDelete', name: 'a', index: 1, len: 3 },
  { op: 'arrayDelete', name: 'a', index: 0, len: 0 },
  { op: 'transact', ops: [
    { op: 'arrayInsert', name: 'a', index: 0, values: ['first'] },
    { op: 'arrayPush', name: 'a', values: ['last'] },
    { op: 'arrayDelete', name: 'a', index: 2, len: 2 }
  ] },
  { op: 'arrayInsert', name: 'a', index: 1, values: [tag(-0), tag(NaN), tag(Infinity), 0.1, 2 ** 40] }
], { a: 'array' })

script('events-map', 'Map sets of every any value type, binaries, overwrites, deletes (a delete of a missing key emits nothing).', 99, true, [
  { op: 'mapSet', name: 'm', key: 'a', value: 1 },
  { op: 'mapSet', name: 'm', key: 'a', value: 2 },
  { op: 'mapSet', name: 'm', key: 'undef', value: tag(undefined) },
  { op: 'mapSet', name: 'm', key: 'nil', value: null },
  { op: 'mapSet', name: 'm', key: 'big', value: tag(-(2n ** 63n)) },
  { op: 'mapSet', name: 'm', key: 'bytes', value: tag(new Uint8Array([1, 2])) },
  { op: 'mapSet', name: 'm', key: 'float', value: 3.25 },
  { op: 'mapSet', name: 'm', key: 'float64', value: 0.1 },
  { op: 'mapSet', name: 'm', key: 'obj', value: { z: 1, a: [true, 'x'], m: {} } },
  { op: 'mapSet', name: 'm', key: 'ü😀', value: 'unicode key' },
  { op: 'mapDelete', name: 'm', key: 'a' },
  { op: 'mapDelete', name: 'm', key: 'missing' },
  { op: 'transact', ops: [
    { op: 'mapSet', name: 'm', key: 'x', value: 'one' },
    { op: 'mapSet', name: 'm', key: 'x', value: 'two' },
    { op: 'mapDelete', name: 'm', key: 'nil' }
  ] }
], { m: 'map' })

script('events-mixed-nogc', 'One transaction across text, array and map roots, then deletes, with gc off.', 5, false, [
  { op: 'transact', ops: [
    { op: 'insertText', name: 't', index: 0, text: 'text' },
    { op: 'arrayPush', name: 'a', values: [1, 2, 3] },
    { op: 'mapSet', name: 'm', key: 'k', value: 'v' }
  ] },
  { op: 'transact', ops: [
    { op: 'deleteText', name: 't', index: 1, len: 2 },
    { op: 'arrayDelete', name: 'a', index: 0, len: 2 },
    { op: 'mapDelete', name: 'm', key: 'k' }
  ] },
  { op: 'insertText', name: 't', index: 1, text: 'ex' }
], { t: 'text', a: 'array', m: 'map' })

script('events-xml', 'XML inserts and deletes (collab-core has no public API to build XML nodes yet; Java skips this script).', 8, true, [
  { op: 'xmlInsert', name: 'pm', index: 0, nodes: [{ element: 'paragraph', attrs: { align: 'left' }, children: [{ text: 'Hello' }] }] },
  { op: 'xmlInsert', name: 'pm', index: 1, nodes: [{ element: 'heading', attrs: { level: '2' }, children: [{ text: 'bold', attrs: { bold: {} } }] }, { element: 'image' }] },
  { op: 'xmlDelete', name: 'pm', index: 0, len: 1 }
], { pm: 'xml' })

// ---------------------------------------------------------------------------------------------------------
// Checking and writing

// Map key order follows integration order, which differs between the doc that made the edits and one that
// applied them as an update, so content is compared with sorted keys (as the Java test does).
const canonical = v => JSON.stringify(v, (k, x) => x !== null && typeof x === 'object' && !Array.isArray(x)
  ? Object.fromEntries(Object.keys(x).sort().map(key => [key, x[key]]))
  : x)

const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i])

/** With DEBUG_FIXTURES=1, prints the structs in which two updates differ (to see why a check failed). */
const debugDiff = (a, b) => {
  if (!process.env.DEBUG_FIXTURES) return
  const id = x => x ? `${x.client}:${x.clock}` : ''
  const fmt = u => {
    const d = Y.decodeUpdate(u)
    return d.structs.map(s => {
      const content = s.content && s.content.getContent
        ? JSON.stringify(tag(s.content.getContent().map(x => x instanceof Y.AbstractType ? 'type' : x)))
        : ''
      const parent = typeof s.parent === 'string' ? s.parent : id(s.parent)
      return `${s.constructor.name} ${id(s.id)}+${s.length} ${s.content ? s.content.constructor.name : ''} ` +
        `origin=${id(s.origin)} rightOrigin=${id(s.rightOrigin)} parent=${parent} parentSub=${s.parentSub} ${content}`
    }).concat(['DS ' + JSON.stringify([...d.ds.clients].map(([c, r]) => [c, r.map(x => [x.clock, x.len])]))])
  }
  const x = fmt(a)
  const y = fmt(b)
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) console.log(i, x[i], ' | ', y[i])
}

const replay = (gc, updates) => {
  const doc = new Y.Doc({ gc })
  for (const u of updates) Y.applyUpdate(doc, u)
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) throw new Error('updates left pending')
  return doc
}

const check = (name, gc, update, updates, roots, expected) => {
  const variants = { whole: [update], inOrder: updates, reverseOrder: [...updates].reverse() }
  for (const [how, list] of Object.entries(variants)) {
    const doc = replay(gc, list)
    const reencoded = Y.encodeStateAsUpdate(doc)
    if (!equalBytes(reencoded, update)) {
      debugDiff(update, reencoded)
      throw new Error(`${name}: re-encoding after applying ${how} differs (DEBUG_FIXTURES=1 shows where)`)
    }
    if (canonical(snapshotRoots(doc, roots)) !== canonical(expected)) throw new Error(`${name}: content after applying ${how} differs`)
  }
}

/**
 * The v2 side of a document fixture: the state and every 'updateV2' event in v2 (checked like the v1 ones), and
 * what Yjs's v2 algebra makes of them: conversions both ways, the merge of all events, a diff against the state
 * vector of the first half of the events, the state vector read from the v2 state.
 */
const v2Fixture = (name, gc, doc, update, roots, snapshot) => {
  const updateV2 = Y.encodeStateAsUpdateV2(doc)
  const events = doc.recordedV2
  if (events.length !== doc.recorded.length) throw new Error(`${name}: ${events.length} updateV2 events but ${doc.recorded.length} update events`)
  for (const [how, list] of Object.entries({ whole: [updateV2], inOrder: events, reverseOrder: [...events].reverse() })) {
    const fresh = new Y.Doc({ gc })
    for (const u of list) Y.applyUpdateV2(fresh, u)
    if (!equalBytes(Y.encodeStateAsUpdateV2(fresh), updateV2)) throw new Error(`${name}: v2 re-encoding after applying ${how} differs`)
    if (!equalBytes(Y.encodeStateAsUpdate(fresh), update)) throw new Error(`${name}: v1 encoding after applying v2 ${how} differs`)
    if (canonical(snapshotRoots(fresh, roots)) !== canonical(snapshot)) throw new Error(`${name}: content after applying v2 ${how} differs`)
  }
  const firstHalf = events.slice(0, Math.ceil(events.length / 2))
  const diffStateVector = firstHalf.length > 0 ? Y.encodeStateVectorFromUpdateV2(Y.mergeUpdatesV2(firstHalf)) : Y.encodeStateVector(new Y.Doc())
  return {
    description: 'the document fixture ' + name + ' in update format v2',
    yjs: '13.6.33',
    gc,
    update: toBase64(updateV2),
    updates: events.map(toBase64),
    stateVector: toBase64(Y.encodeStateVectorFromUpdateV2(updateV2)),
    v1ToV2: toBase64(Y.convertUpdateFormatV1ToV2(update)),
    v2ToV1: toBase64(Y.convertUpdateFormatV2ToV1(updateV2)),
    eventsV1ToV2: doc.recorded.map(u => toBase64(Y.convertUpdateFormatV1ToV2(u))),
    merged: toBase64(events.length > 0 ? Y.mergeUpdatesV2(events) : updateV2),
    diffStateVector: toBase64(diffStateVector),
    diff: toBase64(Y.diffUpdateV2(updateV2, diffStateVector))
  }
}

const CHECK = process.argv.includes('--check')
const written = new Set()
const stale = []

const write = (path, data) => {
  written.add(path)
  if (!CHECK) {
    writeFileSync(path, data)
  } else if (!existsSync(path) || !Buffer.from(data).equals(readFileSync(path))) {
    stale.push(path)
  }
}
const writeJson = (path, value) => write(path, JSON.stringify(value, null, 2) + '\n')
const fixtureFiles = () => [OUT, EVENTS_OUT, V2_OUT].flatMap(dir => existsSync(dir)
  ? readdirSync(dir).filter(f => f.endsWith('.json') || f.endsWith('.bin')).map(f => dir + f)
  : [])

if (!CHECK) {
  mkdirSync(EVENTS_OUT, { recursive: true })
  mkdirSync(V2_OUT, { recursive: true })
  for (const f of fixtureFiles()) rmSync(f)
}

// Which struct and content kinds, and which type refs, the document fixtures contain, to fail the run if an
// edit here ever loses one.
const covered = new Set()
const cover = update => {
  for (const s of Y.decodeUpdate(update).structs) {
    covered.add(s.constructor.name === 'Item' ? s.content.constructor.name : s.constructor.name)
    if (s.content instanceof Y.ContentType) covered.add('type:' + s.content.type.constructor.name)
    if (s.origin !== null && s.rightOrigin !== null) covered.add('origin+rightOrigin')
  }
}
const MUST_COVER = ['GC', 'ContentDeleted', 'ContentJSON', 'ContentBinary', 'ContentString', 'ContentEmbed',
  'ContentFormat', 'ContentType', 'ContentAny', 'ContentDoc', 'type:YArray', 'type:YMap', 'type:YText',
  'type:YXmlElement', 'type:YXmlFragment', 'type:YXmlHook', 'type:YXmlText', 'origin+rightOrigin']

let count = 0
for (const s of scenarios) {
  for (const gc of s.gcVariants) {
    const name = s.gcVariants.length > 1 ? `${s.name}-${gc ? 'gc' : 'nogc'}` : s.name
    const { doc, roots } = s.build(new Ctx(gc))
    const update = Y.encodeStateAsUpdate(doc)
    const snapshot = snapshotRoots(doc, roots)
    check(name, gc, update, doc.recorded, roots, snapshot)
    cover(update)
    write(OUT + name + '.bin', update)
    writeJson(OUT + name + '.json', {
      description: s.description,
      yjs: '13.6.33',
      gc,
      clientId: doc.clientID,
      roots,
      values: snapshot.values,
      deltas: snapshot.deltas,
      update: toBase64(update),
      stateVector: toBase64(Y.encodeStateVector(doc)),
      updates: doc.recorded.map(toBase64)
    })
    writeJson(V2_OUT + name + '.json', v2Fixture(name, gc, doc, update, roots, snapshot))
    count++
  }
}

for (const s of eventScripts) {
  const doc = new Y.Doc({ gc: s.gc })
  doc.clientID = s.clientId
  let events = []
  doc.on('update', u => events.push(toBase64(u)))
  const steps = []
  for (const op of s.ops) {
    events = []
    applyOp(doc, op)
    steps.push({ op, events })
  }
  const snapshot = snapshotRoots(doc, s.roots)
  writeJson(EVENTS_OUT + s.name + '.json', {
    description: s.description,
    yjs: '13.6.33',
    gc: s.gc,
    clientId: s.clientId,
    roots: s.roots,
    steps,
    values: snapshot.values,
    deltas: snapshot.deltas,
    update: toBase64(Y.encodeStateAsUpdate(doc)),
    stateVector: toBase64(Y.encodeStateVector(doc))
  })
  count++
}

const missing = MUST_COVER.filter(k => !covered.has(k))
if (missing.length > 0) throw new Error('the document fixtures no longer contain ' + missing.join(', '))

if (CHECK) {
  stale.push(...fixtureFiles().filter(f => !written.has(f)))
  if (stale.length > 0) {
    console.error('stale fixtures (regenerate with `node generate-fixtures.mjs`):\n  ' + stale.join('\n  '))
    process.exit(1)
  }
  console.log(`${count} fixtures in ${OUT} are up to date`)
} else {
  console.log(`wrote ${count} fixtures to ${OUT}`)
}
