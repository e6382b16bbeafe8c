// Named versions of an estimate ("as sent to the customer"), kept by the server (CollabServer.versions() through
// Paintbox's /api/estimates/{id}/versions): save one, list them, view one read-only with its totals, compare two,
// and restore one, which the server applies as a new edit that every open page receives. Before restoring, the
// server saves the current state as a version, so a restore can itself be undone ("Undo restore").
import { useEffect, useState } from 'react'
import { api, ApiError } from './api.js'

const money = new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' })
const when = iso => new Date(iso).toLocaleString()

/** `writable`: whether the user may change the estimate (save and restore are edits; viewing and comparing are not). */
export function VersionsPanel ({ id, user, writable, onShow, onUnauthorized }) {
  const base = `/api/estimates/${id}/versions`
  const [versions, setVersions] = useState(null)
  const [label, setLabel] = useState('')
  const [compare, setCompare] = useState({ from: '', to: '' })
  const [restored, setRestored] = useState(null) // { text, before } after a restore
  const [error, setError] = useState(null)
  const call = (path, options = {}) => api(path, { token: user.token, ...options }).catch(err => {
    if (err instanceof ApiError && err.status === 401) onUnauthorized(user.token, err.revoked)
    setError(err.message)
    throw err
  })
  const load = () => call(base).then(list => { setVersions(list); setError(null) }, () => {})
  useEffect(() => {
    load()
    const timer = setInterval(load, 5000) // versions the others save
    return () => clearInterval(timer)
  }, [id, user.token])

  const save = async e => {
    e.preventDefault()
    await call(base, { method: 'POST', body: { label } })
    setLabel('')
    load()
  }
  const view = async v => onShow({ kind: 'version', ...await call(`${base}/${v.id}`) })
  const compareThem = async (from, to) =>
    onShow({ kind: 'compare', ...await call(`${base}/compare?from=${from}&to=${to}`) })
  const restore = async (v, saveCurrent) => {
    const result = await call(`${base}/${v.id}/restore`, { method: 'POST', body: { saveCurrent } })
    setRestored(saveCurrent && result.saved
      ? { text: `Restored “${v.label}”.`, before: result.saved }
      : null)
    onShow(null)
    load()
  }

  // Compare the two newest versions unless the user picked others.
  const ids = (versions || []).map(v => String(v.id))
  const from = ids.includes(compare.from) ? compare.from : ids[1] || ''
  const to = ids.includes(compare.to) ? compare.to : ids[0] || ''
  const options = (versions || []).map(v => <option key={v.id} value={v.id}>{v.label}</option>)
  return (
    <div className='card versions'>
      <h3>Versions</h3>
      {writable && (
        <form className='version-save' onSubmit={save}>
          <input id='version-label' placeholder='e.g. As sent to the customer' value={label} maxLength={200}
            onChange={e => setLabel(e.target.value)} />
          <button id='save-version' disabled={!label.trim()}>Save version</button>
        </form>)}
      {restored && (
        <p className='hint' id='restore-note'>{restored.text} The estimate before it is saved as a version.{' '}
          <button className='link' id='undo-restore' onClick={() => restore(restored.before, false)}>
            Undo restore</button>
        </p>)}
      {error && <p className='error'>{error}</p>}
      {versions !== null && versions.length === 0 && <p className='hint'>No versions yet.</p>}
      {versions !== null && versions.length > 0 && (
        <ul id='versions' className='version-list'>
          {versions.map(v => (
            <li key={v.id} data-version={v.id}>
              <span className='version-label'>{v.label}</span>
              <span className='hint'>{v.author} · {when(v.created)}</span>
              <span>
                <button className='link view-version' onClick={() => view(v)}>View</button>
                {writable && <button className='link restore-version' onClick={() => restore(v, true)}>Restore</button>}
              </span>
            </li>))}
        </ul>)}
      {ids.length >= 2 && (
        <div className='version-compare'>
          <select id='compare-from' aria-label='compare from' value={from}
            onChange={e => setCompare({ from: e.target.value, to })}>{options}</select>
          <span>→</span>
          <select id='compare-to' aria-label='compare to' value={to}
            onChange={e => setCompare({ from, to: e.target.value })}>{options}</select>
          <button className='link' id='compare' disabled={from === to}
            onClick={() => compareThem(from, to)}>Compare</button>
        </div>)}
    </div>
  )
}

/** A past version (read-only, with its totals) or a comparison of two, above the rooms. */
export function VersionView ({ shown, onClose }) {
  const close = <button className='link' id='close-version' onClick={onClose}>Close</button>
  if (shown.kind === 'compare') {
    return (
      <div className='card version-view' id='comparison'>
        <div className='room-head'>
          <span className='room-name'>“{shown.from.label}” → “{shown.to.label}”</span>{close}
        </div>
        <p className='hint' id='editors'>
          {shown.editors.length ? 'Edited by ' + shown.editors.join(', ') + '.' : 'Nobody edited in between.'}
          {' '}Total {money.format(shown.grandFrom)} → {money.format(shown.grandTo)}.
        </p>
        {shown.changes.length === 0 ? <p className='hint'>No changes.</p>
          : <ul id='changes'>{shown.changes.map((c, i) => <li key={i}>{c}</li>)}</ul>}
      </div>
    )
  }
  return (
    <div className='card version-view' id='version-view' data-version={shown.version.id}>
      <div className='room-head'>
        <span className='room-name'>Version “{shown.version.label}”</span>
        <span className='room-total' id='version-grand'>{money.format(shown.grand)}</span>{close}
      </div>
      <p className='hint'>Saved by {shown.version.author}, {when(shown.version.created)}. Read-only;
        {' '}{shown.area} m² painted.</p>
      <ReadOnlyContent rooms={shown.rooms} notes={shown.notes} />
    </div>
  )
}

/**
 * An estimate's rooms (each `{ id, name, total, surfaces: [{ id, kind, area, coats, product, price }] }`) and notes
 * (text), read-only: a past version's, or what a page had of an estimate deleted while it was open.
 */
export function ReadOnlyContent ({ rooms, notes }) {
  return (
    <>
      {rooms.map(room => (
        <div key={room.id} className='version-room'>
          <div className='room-head'><span className='room-name'>{room.name}</span>
            <span className='room-total'>{typeof room.total === 'number' ? money.format(room.total) : '…'}</span></div>
          <table>
            <thead>
              <tr><th>Surface</th><th>Area m²</th><th>Coats</th><th>Paint</th><th>Price / m² / coat</th></tr>
            </thead>
            <tbody>
              {room.surfaces.map(s => (
                <tr key={s.id}>
                  <td>{s.kind}</td><td>{s.area}</td><td>{s.coats}</td><td>{s.product}</td><td>{s.price}</td>
                </tr>))}
            </tbody>
          </table>
        </div>))}
      {notes && <p className='version-notes'>{notes}</p>}
    </>
  )
}
