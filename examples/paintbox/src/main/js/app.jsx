// Paintbox's page: sign in with a name, list and create estimates, and edit one together with others.
import { createRoot } from 'react-dom/client'
import { useCallback, useEffect, useRef, useState } from 'react'
import { api, ApiError, session, untilAnswered } from './api.js'
import { EstimatePage } from './estimate.jsx'

function useHash () {
  const [hash, setHash] = useState(location.hash)
  useEffect(() => {
    const onChange = () => setHash(location.hash)
    addEventListener('hashchange', onChange)
    return () => removeEventListener('hashchange', onChange)
  }, [])
  return hash
}

function Login ({ onLogin }) {
  const [name, setName] = useState('')
  const [error, setError] = useState(null)
  const submit = async e => {
    e.preventDefault()
    try {
      onLogin(await api('/api/login', { method: 'POST', body: { name } }))
    } catch (err) {
      setError(err.message)
    }
  }
  return (
    <form className='card login' onSubmit={submit}>
      <h2>Sign in</h2>
      <p className='hint'>Development login: your name is enough. Use another name in a second window to work
        together.</p>
      <input id='login-name' autoFocus placeholder='Your name' value={name} maxLength={40}
        onChange={e => setName(e.target.value)} />
      <button id='login-submit' disabled={!name.trim()}>Sign in</button>
      {error && <p className='error'>{error}</p>}
    </form>
  )
}

function Person ({ name, color, you }) {
  return <span className='person' style={{ background: color }}>{name}{you ? ' (you)' : ''}</span>
}

function EstimateList ({ user, onUnauthorized }) {
  const [estimates, setEstimates] = useState(null)
  const [title, setTitle] = useState('')
  const [error, setError] = useState(null) // of creating an estimate
  const [loadError, setLoadError] = useState(null) // of the last attempt to load the list: gone once one succeeds
  // Whether this user may create an estimate (/api/me): a read-only token, or one for some estimates only, may not,
  // and is not offered a form that could only answer 403. Neither is shown until the server has said which.
  const [mayCreate, setMayCreate] = useState(null)
  useEffect(() => {
    let stopped = false
    untilAnswered(() => api('/api/me', { token: user.token }), { stopped: () => stopped })
      .then(me => { if (me) setMayCreate(me.mayCreate === true) }, err => {
        if (stopped) return
        if (err instanceof ApiError && err.status === 401) onUnauthorized(user.token, err.revoked)
        else setLoadError(err.message)
      })
    return () => { stopped = true }
  }, [user])
  useEffect(() => {
    let stopped = false
    const load = () => api('/api/estimates', { token: user.token })
      .then(list => { if (!stopped) { setEstimates(list); setLoadError(null) } })
      .catch(err => err instanceof ApiError && err.status === 401 ? onUnauthorized(user.token, err.revoked)
        : !stopped && setLoadError(err.message))
    load()
    const timer = setInterval(load, 3000) // who has which estimate open changes all the time
    return () => { stopped = true; clearInterval(timer) }
  }, [user])
  const create = async e => {
    e.preventDefault()
    try {
      const estimate = await api('/api/estimates', { method: 'POST', body: { title }, token: user.token })
      location.hash = '#/estimates/' + estimate.id
    } catch (err) {
      setError(err.message)
    }
  }
  return (
    <section>
      {mayCreate && (
        <form className='card create' onSubmit={create}>
          <input id='new-title' placeholder='New estimate, e.g. "Flat in Elm Street"' value={title} maxLength={120}
            onChange={e => setTitle(e.target.value)} />
          <button id='create-estimate' disabled={!title.trim()}>Create estimate</button>
        </form>)}
      {mayCreate === false && (
        <p className='hint' id='may-not-create'>You may open the estimates listed here, but your access does not let
          you create one.</p>)}
      {error && <p className='error'>{error}</p>}
      {loadError && <p className='error'>{loadError}</p>}
      {estimates === null ? <p className='hint'>Loading…</p>
        : estimates.length === 0 ? <p className='hint'>No estimates yet.</p>
          : (
            <ul id='estimates' className='estimates'>
              {estimates.map(e => (
                <li key={e.id} data-id={e.id}>
                  <a href={'#/estimates/' + e.id}>{e.title}</a>
                  <span className='hint'>{new Date(e.created).toLocaleString()}</span>
                  <span className='viewers'>{e.viewers.map(p => <Person key={p.name} {...p} />)}</span>
                </li>
              ))}
            </ul>)}
    </section>
  )
}

/**
 * Keeps the signed-in user's token fresh: signs in again with the same name when four fifths of the token's remaining
 * life have passed (a token lasts paintbox.dev-login.token-lifetime, 12 h by default), and whenever the server
 * refuses the token in use (an API call answered 401, the collaboration socket closed with 4401): the collaboration
 * server ends a session when its token expires, and the provider reconnects with the token it holds then. While the
 * login cannot be reached (offline, the server restarting) it tries again every few seconds, so that a page that was
 * offline when its token expired carries on, with what was typed meanwhile, once it is back. Only a login that
 * answers no, or a token refused right after it was issued, signs the user out. Except when the server refused the
 * token because the user's access was revoked (`renew(token, true)`): signing in again on the user's behalf would
 * undo the revocation, so it stops renewing and says so (`revoked`) until the user signs in again.
 * Returns { renew, revoked }.
 */
function useFreshToken (user, onRenewed, signOut) {
  const current = useRef(user)
  current.current = user
  const renewing = useRef(null) // the sign-in under way, if any
  const renewed = useRef(null) // { token, at }: the last token this hook got
  const [revokedToken, setRevokedToken] = useState(null) // refused as its user's access was revoked
  const revokedNow = useRef(null) // the same, for renew (made once)
  const renew = useCallback((rejected, revoked = false) => {
    const now = current.current
    if (!now) return Promise.resolve(null)
    if (rejected !== undefined && rejected !== now.token) return Promise.resolve(now) // refused an older token
    if (revoked) {
      revokedNow.current = now.token
      setRevokedToken(now.token)
    }
    if (revokedNow.current === now.token) return Promise.resolve(null)
    if (rejected !== undefined && renewed.current && renewed.current.token === rejected &&
      Date.now() - renewed.current.at < 10000) {
      signOut() // a token refused as soon as it was issued: signing in again would not help
      return Promise.resolve(null)
    }
    if (renewing.current) return renewing.current
    const signIn = () => api('/api/login', { method: 'POST', body: { name: now.name } })
    // Signed out or in again meanwhile, or the access revoked.
    const stopped = () => current.current !== now || revokedNow.current === now.token
    renewing.current = untilAnswered(signIn, { stopped }).then(fresh => {
      if (fresh && !stopped()) {
        renewed.current = { token: fresh.token, at: Date.now() }
        onRenewed(fresh)
      }
      return fresh
    }, err => {
      if (stopped()) return null
      console.warn('paintbox: could not sign in again', err)
      signOut()
      return null
    }).finally(() => { renewing.current = null })
    return renewing.current
  }, [])
  useEffect(() => {
    const left = user && Date.parse(user.expires) - Date.now()
    if (!Number.isFinite(left)) return
    const timer = setTimeout(() => renew(), Math.max(1000, left * 4 / 5))
    return () => clearTimeout(timer)
  }, [user && user.token])
  return { renew, revoked: user !== null && revokedToken === user.token }
}

/**
 * What the page shows once the server refused the user's token because their access was revoked, on any page: no
 * estimates, no socket, and no signing in again by itself; signing in again is the user's choice.
 */
function Revoked ({ onSignIn }) {
  return (
    <p className='error' id='access-revoked'>Your access was revoked: this page stopped showing and saving
      estimates. <button className='link' id='sign-in-again' onClick={onSignIn}>Sign in again</button></p>
  )
}

/**
 * Where the collaboration server is (`/api/config`), asked until the server answers: a page opened while Paintbox
 * starts or restarts, or behind a proxy whose backend is not up yet, gets it once the server is there.
 */
function useConfig () {
  const [config, setConfig] = useState(null)
  const [failure, setFailure] = useState(null) // of the last try, while there is no answer yet
  useEffect(() => {
    let stopped = false
    untilAnswered(() => api('/api/config'), { stopped: () => stopped, onRetry: err => setFailure(err.message) })
      .then(answer => { if (answer) setConfig(answer) }, err => { if (!stopped) setFailure(err.message) })
    return () => { stopped = true }
  }, [])
  return { config, failure }
}

function App () {
  const [user, setUser] = useState(session.get())
  const { config, failure } = useConfig()
  const hash = useHash()
  const signOut = () => { session.clear(); setUser(null) }
  const { renew, revoked } = useFreshToken(user, fresh => { session.set(fresh); setUser(fresh) }, signOut)
  const match = /^#\/estimates\/([a-z0-9]+)$/.exec(hash)
  return (
    <>
      <header className='top'>
        <a className='brand' href='#/'><span className='swatch' />Paintbox</a>
        {user && <span className='me'><Person name={user.name} color={user.color} />
          <button className='link' id='sign-out' onClick={signOut}>Sign out</button></span>}
      </header>
      <main>
        {!user ? <Login onLogin={u => { session.set(u); setUser(u) }} />
          : revoked ? <Revoked onSignIn={signOut} />
          : !config ? <p className='hint' id='config-loading'>Loading…{failure &&
            <span className='error'> The server does not answer yet ({failure}); trying again.</span>}</p>
            : match ? <EstimatePage key={match[1]} id={match[1]} user={user} config={config} onUnauthorized={renew} />
              : <EstimateList user={user} onUnauthorized={renew} />}
      </main>
    </>
  )
}

createRoot(document.getElementById('app')).render(<App />)
