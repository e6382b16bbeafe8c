// Paintbox's page: sign in with a name, list and create estimates, and edit one together with others.
import { createRoot } from 'react-dom/client'
import { useEffect, useState } from 'react'
import { api, ApiError, session } from './api.js'
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
  const [error, setError] = useState(null)
  useEffect(() => {
    let stopped = false
    const load = () => api('/api/estimates', { token: user.token })
      .then(list => { if (!stopped) setEstimates(list) })
      .catch(err => err instanceof ApiError && err.status === 401 ? onUnauthorized() : setError(err.message))
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
      <form className='card create' onSubmit={create}>
        <input id='new-title' placeholder='New estimate, e.g. "Flat in Elm Street"' value={title} maxLength={120}
          onChange={e => setTitle(e.target.value)} />
        <button id='create-estimate' disabled={!title.trim()}>Create estimate</button>
      </form>
      {error && <p className='error'>{error}</p>}
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
 * Signs in again with the same name when four fifths of the token's remaining life have passed (a token lasts
 * paintbox.dev-login.token-lifetime, 12 h by default), so that the page goes on with a fresh token: the
 * collaboration server ends a session when its token expires, and the provider reconnects with the token it holds
 * then.
 */
function useTokenRefresh (user, onRefreshed) {
  useEffect(() => {
    const left = user && Date.parse(user.expires) - Date.now()
    if (!Number.isFinite(left)) return
    const timer = setTimeout(() => {
      api('/api/login', { method: 'POST', body: { name: user.name } }).then(onRefreshed)
        .catch(err => console.warn('paintbox: could not refresh the token', err))
    }, Math.max(1000, left * 4 / 5))
    return () => clearTimeout(timer)
  }, [user && user.token])
}

function App () {
  const [user, setUser] = useState(session.get())
  const [config, setConfig] = useState(null)
  const hash = useHash()
  useEffect(() => { api('/api/config').then(setConfig) }, [])
  const signOut = () => { session.clear(); setUser(null) }
  useTokenRefresh(user, fresh => { session.set(fresh); setUser(fresh) })
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
          : !config ? <p className='hint'>Loading…</p>
            : match ? <EstimatePage key={match[1]} id={match[1]} user={user} config={config} onUnauthorized={signOut} />
              : <EstimateList user={user} onUnauthorized={signOut} />}
      </main>
    </>
  )
}

createRoot(document.getElementById('app')).render(<App />)
