// Paintbox's API and the signed-in user (kept per browser tab, so two tabs can be two people).
const KEY = 'paintbox.user'

export const session = {
  get: () => JSON.parse(sessionStorage.getItem(KEY) || 'null'),
  set: user => sessionStorage.setItem(KEY, JSON.stringify(user)),
  clear: () => sessionStorage.removeItem(KEY)
}

/**
 * Why Paintbox refuses the token of a user whose access the host revoked: the API's 401 says it in its
 * WWW-Authenticate header (error_description), the socket in its 4401's reason. Signing in again on the user's behalf,
 * as the page does for a token that expired, would undo the revocation.
 */
export const ACCESS_REVOKED = 'access revoked'

export class ApiError extends Error {
  /** `refusal`: a 401's error_description (WWW-Authenticate: Bearer error="invalid_token", ...), if it has one. */
  constructor (status, message, refusal = null) {
    super(message)
    this.status = status
    this.refusal = refusal
  }

  /** Whether the API refused the token because the user's access was revoked. */
  get revoked () {
    return this.status === 401 && this.refusal === ACCESS_REVOKED
  }
}

const refusalOf = response =>
  (/error_description="([^"]*)"/.exec(response.headers.get('WWW-Authenticate') || '') || [])[1] || null

export async function api (path, { method = 'GET', body, token } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (token) headers.Authorization = 'Bearer ' + token
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  if (!response.ok) {
    // Paintbox's refusals say why in `detail` (problem details); other answers (a proxy's) may say nothing.
    let message = null
    try {
      message = (await response.json()).detail
    } catch {}
    throw new ApiError(response.status, message || response.statusText || 'HTTP ' + response.status, refusalOf(response))
  }
  return response.status === 204 ? null : response.json()
}

/**
 * Calls `request` (a function returning a promise) until it answers or fails with an answer that trying again
 * cannot change (an ApiError below 500: refused, not found): a network error or a 5xx (the server starting or
 * restarting, a proxy without a backend) is tried again after 0.5 s, 1 s, 2 s, then every 5 s. `onRetry` hears each
 * such failure; once `stopped()` says so, it gives up and resolves to null.
 */
export function untilAnswered (request, { onRetry = () => {}, stopped = () => false } = {}) {
  const attempt = tries => stopped() ? Promise.resolve(null) : request().catch(err => {
    if ((err instanceof ApiError && err.status < 500) || stopped()) throw err
    onRetry(err)
    return new Promise(resolve => setTimeout(resolve, Math.min(5000, 500 * 2 ** tries))).then(() => attempt(tries + 1))
  })
  return attempt(0)
}

/**
 * Where the collaboration server listens: the page's host, the port and path the server tells; no port (-1) when
 * it is served on the page's own port (candlefish.collab.transport=servlet).
 */
export function collabUrl (config) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const host = config.collabPort > 0 ? `${location.hostname}:${config.collabPort}` : location.host
  return `${scheme}//${host}${config.collabPath || ''}`
}

/**
 * Every collaboration socket the page may use, in the order it tries them: this instance's, then the cluster's other
 * instances' (`paintbox.collab-fallback-urls`), without a trailing slash (as the provider keeps them).
 */
export function collabUrls (config) {
  const urls = [collabUrl(config), ...(config.collabFallbackUrls || [])].map(url => url.replace(/\/+$/, ''))
  return urls.filter((url, i) => urls.indexOf(url) === i)
}
