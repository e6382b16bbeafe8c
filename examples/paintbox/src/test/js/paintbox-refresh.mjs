// Sessions that outlive their tokens, in a real browser (Debian's Chromium, as paintbox-browser.mjs), against a
// Paintbox started with a short paintbox.dev-login.token-lifetime. The modes run at once in one Chromium (each waits
// for a token to expire: together they wait once), and each prints one JSON line, {"mode": ..., "ok": true|false,
// "error": ..., ...what the pages showed}; the test reads each mode's line.
//
//   node paintbox-refresh.mjs <base url> <shots> online|offline...
//     online   Alice signs in and opens a new estimate; her page must fetch a fresh token before the first one
//              expires, and go on after the collaboration server ends the session of the old one (4440, which the
//              page's shouldReconnect lets the provider reconnect after): what she writes after that expiry reaches
//              Bob, who signs in then.
//     offline  Ada and Ben edit an estimate; Ada's browser is offline from before her token's renewal until after
//              it expired, and she types meanwhile. Back online, her page must sign in again by itself (the server
//              refuses the expired token: 4401) and send what she typed: Ben sees it, and she is still in the
//              estimate, synced.
import { addRoom, check, createEstimate, launch, openEstimate, signIn, waitUntil } from './paintbox-pages.mjs'
import { mkdirSync } from 'node:fs'

const MODES = { online, offline }
const [base, shots, ...modes] = process.argv.slice(2)
if (!base || !shots || modes.length === 0 || !modes.every(m => MODES[m])) {
  console.error('usage: node paintbox-refresh.mjs <base url> <shots> online|offline...')
  process.exit(2)
}
mkdirSync(shots, { recursive: true })

const signedIn = page => page.evaluate(() => JSON.parse(sessionStorage.getItem('paintbox.user')))
const browser = await launch()
try {
  await Promise.all(modes.map(async mode => {
    try {
      console.log(JSON.stringify({ mode, ok: true, ...await MODES[mode]() }))
    } catch (e) {
      console.log(JSON.stringify({ mode, ok: false, error: String(e.stack || e) }))
    }
  }))
} finally {
  await browser.close()
}

async function online () {
  const alice = await signIn(browser, base, 'Alice')
  const id = await createEstimate(alice, 'Long session')
  // The close codes the provider hears (null: it closed the socket itself).
  await alice.page.evaluate(() => {
    window.closeCodes = []
    window.paintbox.provider.on('connection-close', e => window.closeCodes.push(e ? e.code : null))
  })

  const first = await signedIn(alice.page)
  const expires = Date.parse(first.expires)
  check(Number.isFinite(expires), 'the login says when its token expires: ' + first.expires)
  const fresh = (await waitUntil('the page has a fresh token', async () => {
    const now = await signedIn(alice.page)
    return { ok: now.token !== first.token, now }
  }, Math.max(0, expires - Date.now()) + 60000)).now
  check(Date.parse(fresh.expires) > expires, `the fresh token expires later: ${fresh.expires} vs ${first.expires}`)

  // The server ends the first token's session when it expires; the provider connects again, with the fresh token.
  await waitUntil('the page connected again after the first token expired', async () => ({
    ok: Date.now() > expires && alice.sockets.length >= 2,
    sockets: alice.sockets.length,
    closeCodes: await alice.page.evaluate(() => window.closeCodes)
  }), Math.max(0, expires - Date.now()) + 60000)
  await alice.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 60000 })
  await alice.page.locator('#notes').click()
  await alice.page.keyboard.type('Written after the first token expired.')

  const bob = await signIn(browser, base, 'Bob')
  await openEstimate(bob, id)
  await bob.page.waitForFunction(() => document.getElementById('notes').innerText.includes('first token expired'),
    null, { timeout: 30000 })
  await alice.page.screenshot({ path: `${shots}/paintbox-refreshed-alice.png` })
  const status = await alice.page.locator('.estimate').getAttribute('data-status')
  const closeCodes = await alice.page.evaluate(() => window.closeCodes)
  return { id, refreshed: true, sockets: alice.sockets.length, status, closeCodes }
}

async function offline () {
  const ada = await signIn(browser, base, 'Ada')
  const id = await createEstimate(ada, 'Offline past the token')
  const ben = await signIn(browser, base, 'Ben')
  await openEstimate(ben, id)

  const first = await signedIn(ada.page)
  const expires = Date.parse(first.expires)
  await ada.context.setOffline(true)
  await ada.page.waitForSelector('.estimate:not([data-status="synced"])', { timeout: 45000 })
  await (await addRoom(ada)).locator('.room-name').fill('Typed offline')
  await ada.page.locator('#notes').click()
  await ada.page.keyboard.type('Ada wrote this offline.')
  // Offline until the token has expired (and some seconds more, past the server's clock).
  await ada.page.waitForTimeout(Math.max(0, expires - Date.now()) + 3000)
  await ada.context.setOffline(false)

  await waitUntil('Ben sees what Ada typed offline', async () => ({
    ok: await ben.page.evaluate(() => document.getElementById('notes').innerText.includes('wrote this offline') &&
      window.paintbox.doc.getArray('rooms').toJSON().some(r => r.name === 'Typed offline'))
  }), 60000)
  const now = await signedIn(ada.page)
  check(now !== null && now.token !== first.token, 'Ada is signed in with a fresh token')
  await ada.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 30000 })
  await ada.page.screenshot({ path: `${shots}/paintbox-offline-past-token-ada.png` })
  return { id, status: 'synced', sockets: ada.sockets.length }
}
