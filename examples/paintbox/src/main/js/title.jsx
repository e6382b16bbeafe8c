// An estimate's record (its title, whether this user may change it) and "Rename".
//
// The title lives in Paintbox's list (the database), not in the estimate's document: the list shows it, and two
// renames at once end with the one committed last. The server changes the document's Y.Map 'renamed' after each
// rename, on every instance, which tells each open page to ask for the record again; each answer carries
// `titleVersion`, which grows with each rename, and a page keeps the highest, whatever order the answers come in.
// 'deleted' asks again too: only the list's answer (not found) makes the estimate gone, since any client that may
// write the document can write that mark as well.
import { useEffect, useState } from 'react'
import { api, ApiError, untilAnswered } from './api.js'

/** Of two answers about one estimate, the one with the newer title. */
const newer = (now, answer) => now && now.titleVersion > answer.titleVersion ? now : answer

/**
 * The estimate's record, asked until the server answers (only an answer that asking again cannot change, not found
 * or refused, is an error: `{ missing, message }`), and asked again each time the Y.Map `renamed` or `deleted` of
 * `doc` changes (at most one request under way: changes meanwhile ask once more after it). Returns
 * { estimate, error, renamedHere }; `renamedHere(answer)` takes the record that this page's own rename answered.
 */
export function useEstimateRecord (id, user, doc, onUnauthorized) {
  const [estimate, setEstimate] = useState(null)
  const [error, setError] = useState(null)
  useEffect(() => {
    let stopped = false
    let asking = false
    let again = false
    const ask = () => {
      if (asking) {
        again = true
        return
      }
      asking = true
      untilAnswered(() => api('/api/estimates/' + id, { token: user.token }), { stopped: () => stopped })
        .then(answer => { if (answer) setEstimate(now => newer(now, answer)) }, err => {
          if (stopped) return
          if (err instanceof ApiError && err.status === 401) onUnauthorized(user.token, err.revoked)
          else if (err instanceof ApiError && err.status === 404) {
            setError({ missing: true, message: `No estimate “${id}” here: the link may be mistyped, or you may not see this estimate.` })
          } else setError({ message: err.message })
        })
        .finally(() => {
          asking = false
          if (again && !stopped) {
            again = false
            ask()
          }
        })
    }
    ask()
    const marks = [doc.getMap('renamed'), doc.getMap('deleted')]
    const onMarked = () => ask()
    marks.forEach(marked => marked.observe(onMarked))
    return () => { stopped = true; marks.forEach(marked => marked.unobserve(onMarked)) }
  }, [id, user.token, doc])
  return { estimate, error, renamedHere: answer => setEstimate(now => newer(now, answer)) }
}

/**
 * The estimate's title, and for a user who may change it "Rename": a field with the title (Enter or "Save" renames,
 * Escape or "Cancel" leaves it), which says why the server refused a title (empty, too long, a control character)
 * and stays open with it until it is fixed or left.
 */
export function EstimateTitle ({ estimate, user, writable, onRenamed, onUnauthorized }) {
  const [draft, setDraft] = useState(null) // the title being typed, while renaming
  const [failure, setFailure] = useState(null)
  const [saving, setSaving] = useState(false)
  useEffect(() => { document.title = estimate.title + ' – Paintbox' }, [estimate.title])
  useEffect(() => () => { document.title = 'Paintbox' }, [])
  const close = () => { setDraft(null); setFailure(null) }
  if (draft === null || !writable) {
    return (
      <>
        <h1 id='estimate-title'>{estimate.title}</h1>
        {writable && <button className='link' id='rename-estimate' title='Rename this estimate for everyone'
          onClick={() => setDraft(estimate.title)}>Rename</button>}
      </>
    )
  }
  const save = e => {
    e.preventDefault()
    setSaving(true)
    api('/api/estimates/' + estimate.id, { method: 'PATCH', body: { title: draft }, token: user.token })
      .then(answer => { onRenamed(answer); close() }, err => {
        if (err instanceof ApiError && err.status === 401) onUnauthorized(user.token, err.revoked)
        setFailure(err.message)
      })
      .finally(() => setSaving(false))
  }
  return (
    <form className='rename' id='rename-form' onSubmit={save} onKeyDown={e => { if (e.key === 'Escape') close() }}>
      <input id='rename-title' aria-label='estimate title' autoFocus value={draft} aria-invalid={failure !== null}
        aria-describedby={failure ? 'rename-error' : undefined} onChange={e => setDraft(e.target.value)} />
      <button id='rename-save' disabled={saving}>Save</button>
      <button type='button' className='link' id='rename-cancel' onClick={close}>Cancel</button>
      {failure && <span className='error' id='rename-error' role='alert'>{failure}</span>}
    </form>
  )
}
