// One estimate: its rooms and surfaces (Y.Array 'rooms' of Y.Maps), the totals the server computes (Y.Map
// 'totals', one value under 'estimate': { grand, area, rooms }), the notes (Lexical, Y.XmlText 'root'), and who is
// here (awareness). One Y.Doc and one y-websocket provider, so one socket, for all of it: the notes editor's provider
// factory hands Lexical the same pair.
// Undo/redo of rooms and surfaces: a Y.UndoManager that tracks only this page's own edits (origin LOCAL), so undo
// never takes back what somebody else did; the notes have Lexical's own.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { IndexeddbPersistence } from 'y-indexeddb'
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useState } from 'react'
import { ACCESS_REVOKED, api, ApiError, collabUrls } from './api.js'
import { guardLostServerWrites } from './lost-server-writes.js'
import { Notes } from './notes.jsx'
import { TextField } from './text-field.jsx'
import { EstimateTitle, useEstimateRecord } from './title.jsx'
import { ReadOnlyContent, VersionsPanel, VersionView } from './versions.jsx'

const KINDS = ['Wall', 'Ceiling', 'Trim', 'Door', 'Window frame', 'Floor']
const money = new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' })
const newId = () => Math.random().toString(36).slice(2, 10)

// The origin of this page's own edits of rooms and surfaces. Edits of others arrive with the provider as origin,
// the totals with the server's: the undo manager tracks only this one.
const LOCAL = Symbol('paintbox local edit')
const local = (type, change) => type.doc.transact(change, LOCAL)

// The server ends a session whose token expired with close code 4440. y-websocket 3.x gives up on every code in
// 4400-4499 (the server's "not with these credentials"), 4440 included, unless told otherwise: this page has a fresh
// token by then (see app.jsx), so it reconnects with it. Any other 44xx (4401: the token was refused) still stops.
const TOKEN_EXPIRED = 4440
const shouldReconnect = event => event.code === TOKEN_EXPIRED || !(event.code >= 4400 && event.code < 4500)
// The server refuses a token it does not accept (4401) when the socket opens: typically one that expired while the
// page was offline or the server down, so no 4440 came and the page could not sign in again in time. It also ends
// (and refuses) the sessions of a user the host revoked with 4401, reason ACCESS_REVOKED.
const UNAUTHORIZED = 4401

/**
 * Connects again with a fresh token when the server refused the one the provider used (4401), which the provider
 * takes as final: `renew` signs in again (or signs out when that cannot help). What was typed meanwhile is still in
 * the page's document and goes out with the next sync. Except where a fresh token cannot help: the user's access was
 * revoked (the socket's reason, or the API's answer, says so: `renew` is told, and signs nobody in), or the estimate is
 * gone (deleted while this page was offline or its server down: the socket refuses a document that the list no longer
 * has, and the API answers 404), which `onGone` hears.
 */
function useReconnectWhenRefused (provider, renew, id, onGone) {
  useEffect(() => {
    let used = provider.params.token
    let alive = true
    const onStatus = ({ status }) => { if (status === 'connecting') used = provider.params.token }
    const onClosed = ({ code, reason }) => {
      if (code !== UNAUTHORIZED) return
      const refused = used
      const reconnect = revoked => Promise.resolve(renew(refused, revoked)).then(fresh => {
        if (alive && fresh && fresh.token !== refused) {
          provider.params.token = fresh.token
          provider.connect()
        }
      })
      if (reason === ACCESS_REVOKED) {
        reconnect(true)
        return
      }
      api('/api/estimates/' + id, { token: provider.params.token }).then(() => null, err => err).then(err => {
        if (!alive) return null
        if (err instanceof ApiError && err.status === 404) {
          onGone({})
          return null
        }
        return reconnect(err instanceof ApiError && err.revoked)
      })
    }
    provider.on('status', onStatus)
    provider.on('closed', onClosed)
    return () => { alive = false; provider.off('status', onStatus); provider.off('closed', onClosed) }
  }, [provider])
}

/**
 * Why the server stopped this page's session for good, once it has: `{ code, reason }` of a close that the provider
 * does not come back from (a 44xx: a change the server refused, 4403, with the host's reason; one too large, nested
 * too deep, or that waits for what the server never got), null while the page syncs. 4401 is not one: a refused
 * token is renewed (useReconnectWhenRefused).
 */
function useRefusal (provider) {
  const [refusal, setRefusal] = useState(null)
  useEffect(() => {
    const onClosed = ({ code, reason }) => { if (code !== UNAUTHORIZED) setRefusal({ code, reason }) }
    const onStatus = ({ status }) => { if (status === 'connected') setRefusal(null) }
    provider.on('closed', onClosed)
    provider.on('status', onStatus)
    return () => { provider.off('closed', onClosed); provider.off('status', onStatus) }
  }, [provider])
  return refusal
}

/**
 * What a refused page says: what happened, in the server's words, and what to do. The page's document (and its copy
 * in this browser) holds the refused change, which every later sync would send again and have refused: starting
 * again from the saved estimate means forgetting that copy (`onStartAgain`) and loading the page anew.
 */
function Refused ({ refusal, onStartAgain }) {
  return (
    <p className='error' id='refused' data-code={refusal.code}>
      The server stopped taking this page's changes: {refusal.reason || 'no reason given'} ({refusal.code}). What was
      typed here since is not saved, and this page no longer syncs. Copy what you want to keep, then{' '}
      <button className='link' id='start-again' onClick={onStartAgain}>start again from the saved estimate</button>.
    </p>
  )
}

/**
 * Moves the provider on to the next of `urls` (this instance's socket, then the cluster's other instances') when a
 * connection to the one it used could not be opened, so that a page whose instance died (`kill -9`, a crash) goes on
 * through another, with what was typed meanwhile; every instance serves every estimate. A connection that was open
 * and closed is tried again where it was first (a token that expired, the server's idle check): it moves on only if
 * that one cannot be opened.
 */
function useFailover (provider, urls) {
  useEffect(() => {
    if (urls.length < 2) return
    const onClose = () => {
      if (provider.wsconnected) return
      provider.serverUrl = urls[(urls.indexOf(provider.serverUrl) + 1) % urls.length]
    }
    provider.on('connection-close', onClose)
    return () => provider.off('connection-close', onClose)
  }, [provider])
}

/**
 * Keeps the estimate in this browser's IndexedDB too (y-indexeddb), so that what was typed while offline or while
 * the server was down survives a reload or a closed tab: the next page of this estimate in this browser loads it
 * and sends it once connected. Loaded only once Lexical's collaboration plugin connects the provider, which it does
 * once its binding listens to the document: notes already in the document before that would not show in the editor.
 * Only an estimate the user may change (`writable`, from the API): the server drops a read-only token's edits without a
 * word, and kept here they would come back with every later page of the estimate in this browser. Kept per user: on a
 * shared computer the next person to sign in must neither read the last one's copy nor send their unsent edits.
 * `forget`: the estimate is no more (deleted, or not there for this user), or the user starts again from the saved
 * estimate: its copy here is removed, then `forgotten` is called (if given).
 */
function useKeptInBrowser (userName, documentName, doc, provider, writable, forget, forgotten) {
  useEffect(() => {
    const name = keptName(userName, documentName)
    if (forget) {
      // Waits until the copy that the last run of this effect opened is closed.
      const deleting = indexedDB.deleteDatabase(name)
      if (forgotten) deleting.onsuccess = deleting.onerror = forgotten
      return
    }
    if (!writable) return
    let persistence = null
    const start = () => {
      provider.off('status', start)
      persistence = persistence || new IndexeddbPersistence(name, doc)
    }
    if (provider.shouldConnect) start()
    else provider.on('status', start)
    return () => {
      provider.off('status', start)
      if (persistence) persistence.destroy()
    }
  }, [userName, documentName, doc, provider, writable, forget])
}

/** The name of the IndexedDB database that keeps `userName`'s copy of the document `documentName`. */
const keptName = (userName, documentName) => `paintbox/${userName}/${documentName}`

/**
 * Puts `seed` (an update: what a page that started over kept of its old document) into `doc` once Lexical's
 * collaboration plugin connects the provider, as the copy in IndexedDB is (notes already in the document before its
 * binding listens would not show in the editor). The server receives it with the answer to its sync step 1.
 */
function useSeed (doc, provider, seed) {
  useEffect(() => {
    if (!seed) return
    const apply = () => {
      provider.off('status', apply)
      Y.applyUpdate(doc, seed)
    }
    if (provider.shouldConnect) apply()
    else provider.on('status', apply)
    return () => provider.off('status', apply)
  }, [doc, provider])
}

/** Whether `type` holds something (at any depth) that another page wrote and that is still there. */
const holdsOthersWork = (type, me) => {
  const items = [...type._map.values()]
  for (let item = type._start; item !== null; item = item.right) items.push(item)
  return items.some(item => !item.deleted && (item.id.client !== me ||
    (item.content.type instanceof Y.AbstractType && holdsOthersWork(item.content.type, me))))
}

/**
 * A Y.UndoManager that never takes away what somebody else built on. Undoing the creation of a room or a surface (or
 * of a name's text) deletes it, and Yjs deletes everything in it with it: Alice's undo of "+ Room" took away the
 * surfaces Bob had added to that room since, at every page. Here such a room (surface, name) stays, with all that is in
 * it; the rest of the step is undone. A step that only created what stays changes nothing and is dropped: the undo does
 * not go on to the step before it (Yjs pops on until a step changes something), which the person did not ask for.
 */
class OwnUndoManager extends Y.UndoManager {
  constructor (scope, options) {
    super(scope, options)
    this.popping = null // the step being undone or redone
    this.deleteFilter = item => !this.builtOn(item)
  }

  undo () { return this.popOne(this.undoStack, () => super.undo()) }

  redo () { return this.popOne(this.redoStack, () => super.redo()) }

  popOne (stack, pop) {
    const older = stack.splice(0, stack.length - 1)
    this.popping = stack[0] || null
    try {
      return pop()
    } finally {
      this.popping = null
      stack.unshift(...older)
      this.emit('stacks-restored', [this]) // the events of the pop saw the stack without its older steps
    }
  }

  /** Whether `item`, or what holds it, was created by the step being popped and holds another page's work now. */
  builtOn (item) {
    for (let i = item; this.popping && i; i = i.parent._item) {
      if (Y.isDeleted(this.popping.insertions, i.id) && i.content.type instanceof Y.AbstractType &&
        holdsOthersWork(i.content.type, this.doc.clientID)) return true
    }
    return false
  }
}

/**
 * Undo and redo of this page's edits of the rooms (OwnUndoManager); Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z and Ctrl+Y outside
 * the notes. A version restored (`restored`, which the server changes right after a restore) clears both: the restore
 * put the version's rooms and text back as new items, and undoing an edit from before it would bring the old ones back
 * beside them (a name twice, a room twice).
 */
function useUndo (rooms, restored) {
  const undoManager = useMemo(() => new OwnUndoManager(rooms, { trackedOrigins: new Set([LOCAL]) }), [rooms])
  const [can, setCan] = useState({ undo: false, redo: false })
  useEffect(() => {
    const update = () => setCan({ undo: undoManager.canUndo(), redo: undoManager.canRedo() })
    for (const event of ['stack-item-added', 'stack-item-popped', 'stack-cleared', 'stacks-restored']) {
      undoManager.on(event, update)
    }
    const onRestored = () => undoManager.clear()
    restored.observe(onRestored)
    const onKey = e => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return
      const key = e.key.toLowerCase()
      const redo = (key === 'z' && e.shiftKey) || (key === 'y' && !e.shiftKey)
      if (key !== 'z' && !redo) return
      // Lexical undoes the notes itself; the version label is a plain field with the browser's own undo.
      if (e.target instanceof Element && e.target.closest('.notes, .versions')) return
      e.preventDefault()
      if (redo) undoManager.redo()
      else undoManager.undo()
    }
    addEventListener('keydown', onKey)
    return () => { removeEventListener('keydown', onKey); restored.unobserve(onRestored); undoManager.destroy() }
  }, [undoManager])
  return { undoManager, ...can }
}

/**
 * Re-renders when `type` (a Y.Map or Y.Array) itself changes: its own keys or elements, not what is inside them, so
 * that a keystroke in one surface re-renders that surface and not the whole estimate. Subscribed in a layout effect,
 * in the task that rendered: no change can come in between and go unseen.
 */
function useObserved (type) {
  const [, rerender] = useReducer(n => n + 1, 0)
  useLayoutEffect(() => {
    if (!(type instanceof Y.AbstractType)) return
    type.observe(rerender)
    return () => type.unobserve(rerender)
  }, [type])
}

/**
 * Before the row or card `item` goes with the remove button that has the keyboard focus: moves the focus to that
 * button (`selector`) of the next item, else of the one before, else to `fallback` (the list's add button). Without it
 * the focus fell back to the page's start, and someone using the keyboard had to tab through the whole page again.
 */
const keepFocusNear = (item, button, selector, fallback) => {
  if (document.activeElement !== button) return
  const neighbour = [item.nextElementSibling, item.previousElementSibling].map(e => e && e.querySelector(selector))
  const next = neighbour.find(Boolean) || fallback
  if (next) next.focus()
}

/** Deletes `item` from `array` where it is now: a remote edit may have moved it since the page last rendered. */
const removeFrom = (array, item) => local(array, () => {
  const index = array.toArray().indexOf(item)
  if (index >= 0) array.delete(index, 1)
})

/** The awareness states with a name (Lexical's collaboration plugin sets name and colour). */
function usePeople (provider) {
  const [people, setPeople] = useState([])
  useEffect(() => {
    const update = () => setPeople([...provider.awareness.getStates()]
      .filter(([, s]) => s && s.name)
      .map(([id, s]) => ({ id, name: s.name, color: s.color, you: id === provider.awareness.clientID }))
      .sort((a, b) => a.name.localeCompare(b.name)))
    provider.awareness.on('change', update)
    update()
    return () => provider.awareness.off('change', update)
  }, [provider])
  return people
}

/**
 * Whether the browser says it is offline (its `offline` and `online` events). A socket that was open stays open when
 * the network goes (Chromium keeps it, and TCP until it gives up), and the provider notices only after 30 s without a
 * message: the page said "synced" all that time while what was typed went nowhere. Offline, the page says so at once
 * and closes its socket; back online, it connects again at once (not after the provider's backoff), unless something
 * else stopped it meanwhile (a refusal, a deletion: they stop the provider themselves).
 */
function useOffline (provider) {
  const [offline, setOffline] = useState(!navigator.onLine)
  useEffect(() => {
    let closedHere = false
    const onOffline = () => {
      setOffline(true)
      if (provider.shouldConnect) {
        closedHere = true
        provider.disconnect()
      }
    }
    const onOnline = () => {
      setOffline(false)
      if (closedHere && !provider.shouldConnect) provider.connect()
      closedHere = false
    }
    addEventListener('offline', onOffline)
    addEventListener('online', onOnline)
    return () => { removeEventListener('offline', onOffline); removeEventListener('online', onOnline) }
  }, [provider])
  return offline
}

function useStatus (provider) {
  const [status, setStatus] = useState('connecting')
  useEffect(() => {
    const onStatus = ({ status }) => setStatus(status === 'connected' ? (provider.synced ? 'synced' : 'syncing') : status)
    const onSync = synced => setStatus(synced ? 'synced' : 'syncing')
    provider.on('status', onStatus)
    provider.on('sync', onSync)
    return () => { provider.off('status', onStatus); provider.off('sync', onSync) }
  }, [provider])
  return status
}

/**
 * A number input that writes to the document on every keystroke that reads as a number, and shows what this person
 * typed ("2." stays) until they leave the field. A number is one value, the last one written wins: somebody else's
 * change arriving meanwhile shows once they leave it (shown at once, their next keystrokes would go into it, and two
 * people typing "12.5" and "20" at once ended with 1205). An undo (Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z, Ctrl+Y) shows at once.
 */
function NumberField ({ value, onChange, ...props }) {
  const [draft, setDraft] = useState(null)
  const shown = draft !== null ? draft : (typeof value === 'number' ? String(value) : '')
  return (
    <input {...props} inputMode='decimal' value={shown}
      onChange={e => {
        // NFKC: the full-width digits, comma and point an input method gives ("１２，５") read as "12,5".
        const n = Number(e.target.value.normalize('NFKC').trim().replace(',', '.'))
        setDraft(e.target.value)
        if (e.target.value.trim() !== '' && Number.isFinite(n) && n >= 0) onChange(n)
      }}
      onKeyDown={e => {
        const key = e.key.toLowerCase()
        if ((e.ctrlKey || e.metaKey) && (key === 'z' || key === 'y')) setDraft(null) // the page's undo: its value
      }}
      onBlur={() => setDraft(null)} />
  )
}

// `writable` below: whether this user may change the estimate (the API's estimate says so). For a user who may only
// read, the server drops every edit without a word: the fields are read-only and the buttons that edit are not there,
// so the page never shows something that was not saved.

const Surface = memo(function Surface ({ surface, surfaces, writable }) {
  useObserved(surface)
  const get = k => surface.get(k)
  const set = k => v => local(surface, () => surface.set(k, v))
  return (
    <tr className='surface' data-surface={surface.get('id')}>
      <td>
        <select className='kind' value={get('kind') || KINDS[0]} disabled={!writable}
          onChange={e => set('kind')(e.target.value)}>
          {KINDS.map(k => <option key={k}>{k}</option>)}
        </select>
      </td>
      <td><NumberField className='area num' value={get('area')} onChange={set('area')} readOnly={!writable} aria-label='area m²' /></td>
      <td><NumberField className='coats num' value={get('coats')} onChange={set('coats')} readOnly={!writable} aria-label='coats' /></td>
      <td>
        <TextField className='product' map={surface} field='product' origin={LOCAL} placeholder='Paint product'
          readOnly={!writable} />
      </td>
      <td><NumberField className='price num' value={get('price')} onChange={set('price')} readOnly={!writable} aria-label='price per m² per coat' /></td>
      <td>{writable && <button className='link remove-surface' title='Remove surface' aria-label='Remove surface'
        onClick={e => {
          const row = e.currentTarget.closest('tr')
          keepFocusNear(row, e.currentTarget, '.remove-surface', row.closest('.room').querySelector('.add-surface'))
          removeFrom(surfaces, surface)
        }}>✕</button>}</td>
    </tr>
  )
})

const Room = memo(function Room ({ rooms, room, total, writable, added }) {
  useObserved(room)
  const surfaces = room.get('surfaces')
  useObserved(surfaces)
  const addSurface = () => {
    const s = new Y.Map()
    local(surfaces, () => {
      surfaces.push([s])
      s.set('id', newId())
      s.set('kind', 'Wall')
      s.set('area', 10)
      s.set('coats', 2)
      s.set('product', new Y.Text())
      s.set('price', 3)
    })
  }
  return (
    <div className='card room' data-room={room.get('id')}>
      <div className='room-head'>
        <TextField className='room-name' map={room} field='name' origin={LOCAL} placeholder='Room'
          readOnly={!writable} autoFocus={added} />
        <span className='room-total' title='computed on the server'>{total === undefined ? '…' : money.format(total)}</span>
        {writable && <button className='link remove-room' title='Remove room'
          onClick={e => {
            keepFocusNear(e.currentTarget.closest('.room'), e.currentTarget, '.remove-room',
              document.getElementById('add-room'))
            removeFrom(rooms, room)
          }}>Remove room</button>}
      </div>
      <table>
        <thead>
          <tr><th>Surface</th><th>Area m²</th><th>Coats</th><th>Paint</th><th>Price / m² / coat</th><th /></tr>
        </thead>
        <tbody>
          {surfaces instanceof Y.Array && surfaces.toArray().map((s, i) => s instanceof Y.Map &&
            <Surface key={s.get('id') || i} surface={s} surfaces={surfaces} writable={writable} />)}
        </tbody>
      </table>
      {writable && <button className='add-surface' onClick={addSurface}>+ Surface</button>}
    </div>
  )
})

/** The notes' text, a line per paragraph (Lexical keeps a Y.XmlText per paragraph in 'root', its text in strings). */
const notesText = doc => doc.get('root', Y.XmlText).toDelta()
  .map(op => op.insert instanceof Y.XmlText
    ? op.insert.toDelta().map(o => typeof o.insert === 'string' ? o.insert : '').join('')
    : '')
  .join('\n').trim()

/** `bytes` (a Uint8Array) in base64. */
const base64 = bytes => {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/**
 * "Keep it as a new estimate": creates an estimate that starts with everything this page's document holds (the
 * server drops the mark that says it was deleted), and opens it.
 */
function KeepButton ({ doc, title, user, onUnauthorized }) {
  const [failure, setFailure] = useState(null)
  const [keeping, setKeeping] = useState(false)
  const keep = () => {
    setKeeping(true)
    let kept = (title || 'Estimate').slice(0, 113) // with " (kept)", 120: the most a title may have
    if (/[\ud800-\udbff]$/.test(kept)) kept = kept.slice(0, -1) // not half a character
    const body = { title: kept + ' (kept)', content: base64(Y.encodeStateAsUpdate(doc)) }
    api('/api/estimates', { method: 'POST', body, token: user.token })
      .then(created => { location.hash = '#/estimates/' + created.id }, err => {
        if (err instanceof ApiError && err.status === 401) onUnauthorized(user.token, err.revoked)
        setFailure(err.message)
        setKeeping(false)
      })
  }
  return (
    <p>
      <button id='keep-estimate' disabled={keeping} onClick={keep}>Keep it as a new estimate</button>
      {failure && <span className='error' id='keep-error'> {failure}</span>}
    </p>
  )
}

/**
 * What the page shows instead of an estimate that was deleted (by `gone.by`, when the page was open): that it was,
 * and what this page had of it, read-only, with what was typed here last and never reached the server (offline, or
 * just before the deletion arrived), so that the person can still copy it, or (`writable`: a user who may create
 * estimates) keep it all as a new estimate.
 */
function Gone ({ gone, doc, title, writable, user, onUnauthorized }) {
  const totals = (doc.getMap('totals').get('estimate') || {}).rooms || {}
  const rooms = doc.getArray('rooms').toJSON().filter(room => room && typeof room === 'object')
    .map((room, i) => ({
      id: room.id || String(i),
      name: String(room.name ?? ''),
      total: totals[room.id],
      surfaces: (Array.isArray(room.surfaces) ? room.surfaces : []).filter(s => s && typeof s === 'object')
        .map((s, j) => ({ ...s, id: s.id || String(j), product: String(s.product ?? '') }))
    }))
  return (
    <section id='estimate-deleted'>
      <p className='error' id='estimate-gone' data-why='deleted'>
        This estimate was deleted{gone.by ? ' by ' + gone.by : ''}. <a href='#/'>Back to the estimates</a></p>
      {writable && <KeepButton doc={doc} title={title} user={user} onUnauthorized={onUnauthorized} />}
      <div className='card version-view' id='estimate-kept'>
        <p className='hint'>What this page had of it, with what was typed here last, read-only: copy what you want to
          keep before you leave this page.</p>
        <ReadOnlyContent rooms={rooms} notes={notesText(doc)} />
      </div>
    </section>
  )
}

/** "Delete", then "Delete … for everyone?" with the choice; deletes through the API and goes back to the list. */
function DeleteButton ({ id, title, user, onUnauthorized }) {
  const [asking, setAsking] = useState(false)
  const [cancelled, setCancelled] = useState(false) // the focus goes back to "Delete" then
  const [failure, setFailure] = useState(null)
  const cancel = () => { setAsking(false); setCancelled(true) }
  const remove = () => api('/api/estimates/' + id, { method: 'DELETE', token: user.token })
    .then(() => { location.hash = '#/' }, err => {
      if (err instanceof ApiError && err.status === 401) onUnauthorized(user.token, err.revoked)
      setFailure(err.message || 'HTTP ' + err.status)
    })
  if (!asking) {
    return <button className='link' id='delete-estimate' title='Delete this estimate for everyone'
      autoFocus={cancelled} onClick={() => setAsking(true)}>Delete</button>
  }
  // The question takes the focus, on "Cancel" (Enter then deletes nothing); Escape cancels too.
  return (
    <span className='delete-confirm' id='delete-confirm' onKeyDown={e => { if (e.key === 'Escape') cancel() }}>
      Delete “{title}” for everyone? <button id='delete-yes' onClick={remove}>Delete</button>
      <button className='link' id='delete-no' autoFocus onClick={cancel}>Cancel</button>
      {failure && <span className='error'> {failure}</span>}
    </span>
  )
}

/**
 * One estimate. When the page finds in its document an edit of the server's that the server lost (killed before it
 * stored it: lost-server-writes.js), it starts over: the view goes, the copy in this browser is deleted (it holds the
 * lost edit too), and a new view starts on a new document with everything else the old one held, which the server
 * completes and receives.
 */
export function EstimatePage (props) {
  const [start, setStart] = useState({ generation: 0, seed: null })
  const [forgetting, setForgetting] = useState(null) // the seed, while the copy in this browser is deleted
  const onLost = useCallback(seed => setForgetting(seed), [])
  useEffect(() => {
    if (forgetting === null) return
    // Runs after the old view's effects were cleaned up: its copy in IndexedDB is closed, or closing (waited for).
    const deleting = indexedDB.deleteDatabase(keptName(props.user.name, 'estimate-' + props.id))
    deleting.onsuccess = deleting.onerror = () => {
      setStart(s => ({ generation: s.generation + 1, seed: forgetting }))
      setForgetting(null)
    }
  }, [forgetting])
  if (forgetting !== null) return <p className='hint' id='starting-over'>Taking the estimate from the server again…</p>
  return <EstimateView key={start.generation} {...props} seed={start.seed} onLost={onLost} />
}

function EstimateView ({ id, user, config, onUnauthorized, seed, onLost }) {
  const [refused, setRefused] = useState(null) // {} once the socket refused the estimate as deleted
  const documentName = 'estimate-' + id
  // Not connected here: Lexical's collaboration plugin connects it when the notes editor mounts (so the editor
  // hears the first 'sync') and disconnects it when the page goes.
  const urls = useMemo(() => collabUrls(config), [config])
  const { doc, provider } = useMemo(() => {
    const doc = new Y.Doc()
    // disableBc: y-websocket would also relay the document between the browser's tabs on a BroadcastChannel, and a
    // tab applies what another relays there without ever sending it to the server: it expects the tab that made an
    // edit to send it. A tab whose socket is down (offline, refused, closing) then hands its unsent edits to a tab
    // that is connected, which builds on them (a Y.Text insertion names its neighbours), and the server holds every
    // later edit of that tab to those rooms as waiting for structs it never gets, until the first tab is back: its
    // person typed and nobody saw it. Each tab syncs through the server alone; what a tab typed offline reaches the
    // others, its own other tabs too, once it is back (and a new tab reads it from this browser's IndexedDB, which
    // it then sends). Two people in two tabs of one browser could see each other's unsent edits over it as well.
    const provider = new WebsocketProvider(urls[0], documentName, doc,
      { connect: false, params: { token: user.token }, shouldReconnect, disableBc: true })
    guardLostServerWrites(provider, onLost)
    return { doc, provider }
  }, [documentName, user.name])
  useSeed(doc, provider, seed)
  // A refreshed token (see app.jsx) is the one the provider's next connection sends: the server ends the session
  // when the old one expires (4440), and the provider reconnects (shouldReconnect).
  provider.params.token = user.token
  useReconnectWhenRefused(provider, onUnauthorized, id, setRefused)
  useFailover(provider, urls)
  useEffect(() => {
    window.paintbox = { doc, provider } // for the browser test and the curious
    return () => { provider.destroy(); doc.destroy() }
  }, [doc, provider])
  // The title, whether this user may change it (title.jsx). The rooms and the notes (whose editor connects the
  // provider) wait for it: a made-up or mistyped id in the URL must not open, and with the notes' first paragraph
  // create, a document that no estimate in the list stands for.
  const { estimate, error, renamedHere } = useEstimateRecord(id, user, doc, onUnauthorized)
  // Deleted while this page had it open: the server marks the document after the list lets it go, for every open
  // page. The mark alone proves nothing (the server cannot refuse a writer's update that sets it): the list must no
  // longer have the estimate too, which the mark makes useEstimateRecord ask.
  const deleted = doc.getMap('deleted')
  useObserved(deleted)
  const gone = refused ||
    (deleted.get('by') !== undefined && error !== null && error.missing ? { by: deleted.get('by') } : null)
  useEffect(() => {
    if (gone) provider.disconnect()
  }, [provider, gone !== null])
  const refusal = useRefusal(provider)
  const [startingAgain, startAgain] = useState(false)
  // A refused page stays as it is (not made read-only: the notes editor would connect the provider again).
  const writable = estimate !== null && estimate.writable === true && !gone
  useKeptInBrowser(user.name, documentName, doc, provider, writable,
    gone !== null || (error !== null && error.missing) || startingAgain, startingAgain && (() => location.reload()))
  const rooms = doc.getArray('rooms')
  const totals = doc.getMap('totals')
  useObserved(rooms)
  useObserved(totals)
  const people = usePeople(provider)
  const offline = useOffline(provider)
  const connection = useStatus(provider)
  const status = offline ? 'offline' : connection
  // Once synced, a lost connection says what happens to what is typed (the status alone said "connecting").
  const [wasSynced, setWasSynced] = useState(false)
  useEffect(() => { if (status === 'synced') setWasSynced(true) }, [status])
  const undo = useUndo(rooms, doc.getMap('restored'))
  const [shownVersion, showVersion] = useState(null) // a past version or a comparison, shown read-only
  const computed = totals.get('estimate') || {}
  const roomTotals = computed.rooms || {}
  const grand = computed.grand

  const [addedRoom, setAddedRoom] = useState(null) // the id of the room added here last: its name takes the focus
  const addRoom = () => {
    const room = new Y.Map()
    const roomId = newId()
    local(rooms, () => {
      rooms.push([room])
      room.set('id', roomId)
      room.set('name', new Y.Text('Room ' + rooms.length))
      room.set('surfaces', new Y.Array())
    })
    setAddedRoom(roomId)
  }

  if (gone) {
    return <Gone gone={gone} doc={doc} title={estimate && estimate.title} writable={estimate && estimate.writable}
      user={user} onUnauthorized={onUnauthorized} />
  }
  if (error) return <p className='error' id='estimate-error'>{error.message} <a href='#/'>Back to the estimates</a></p>
  if (!estimate) {
    return (
      <section className='estimate' data-status='loading'>
        <div className='estimate-head'><a href='#/'>← Estimates</a><h1 id='estimate-title'>…</h1></div>
      </section>
    )
  }
  return (
    <section className='estimate' data-status={status}>
      <div className='estimate-head'>
        <a href='#/'>← Estimates</a>
        <EstimateTitle estimate={estimate} user={user} writable={writable} onRenamed={renamedHere}
          onUnauthorized={onUnauthorized} />
        {writable
          ? <span className='undo'>
            <button className='link' id='undo' title='Undo your last change (Ctrl+Z)' disabled={!undo.undo}
              onClick={() => undo.undoManager.undo()}>↶ Undo</button>
            <button className='link' id='redo' title='Redo (Ctrl+Shift+Z)' disabled={!undo.redo}
              onClick={() => undo.undoManager.redo()}>↷ Redo</button>
          </span>
          : <span className='status' id='read-only' title='you may look at this estimate but not change it'>read-only</span>}
        {writable && <DeleteButton id={id} title={estimate.title} user={user} onUnauthorized={onUnauthorized} />}
        <span className={'status ' + status} id='status'>{status}</span>
        {wasSynced && !refusal && (status === 'connecting' || status === 'disconnected') &&
          <span className='hint' id='not-connected'>not connected to the server, trying again{writable &&
            ': what you type is kept in this browser and sent once it is back'}</span>}
        {offline && !refusal && !gone &&
          <span className='hint' id='offline'>this browser is offline{writable &&
            ': what you type is kept in this browser and sent once it is back online'}</span>}
      </div>
      {refusal && <Refused refusal={refusal} onStartAgain={() => startAgain(true)} />}
      {seed && <p className='hint' id='started-over'>The server had restarted without its last changes (totals or
        marks it had not saved yet): this page took the estimate from the server again, with everything typed here.</p>}
      <div className='people' id='people' aria-label='people here'>
        {people.map(p => <span key={p.id} className='person' style={{ background: p.color }}>
          {p.name}{p.you ? ' (you)' : ''}</span>)}
      </div>
      <div className='layout'>
        <div className='rooms' onFocus={() => undo.undoManager.stopCapturing()}>
          {shownVersion && <VersionView shown={shownVersion} onClose={() => showVersion(null)} />}
          {rooms.toArray().map((room, i) => room instanceof Y.Map &&
            <Room key={room.get('id') || i} rooms={rooms} room={room} total={roomTotals[room.get('id')]}
              writable={writable} added={room.get('id') === addedRoom} />)}
          {writable && <button id='add-room' onClick={addRoom}>+ Room</button>}
        </div>
        <aside>
          <div className='card totals'>
            <div className='hint'>Total (computed on the server)</div>
            <div id='grand-total' className='grand'>{typeof grand === 'number' ? money.format(grand) : '—'}</div>
            <div className='hint' id='total-area'>
              {typeof computed.area === 'number' ? computed.area + ' m² painted' : ''}
            </div>
          </div>
          <div className='card'>
            <h3>Notes</h3>
            <Notes documentName={documentName} doc={doc} provider={provider} user={user} editable={writable} />
          </div>
          <VersionsPanel id={id} user={user} writable={writable} onShow={showVersion} onUnauthorized={onUnauthorized} />
        </aside>
      </div>
    </section>
  )
}
