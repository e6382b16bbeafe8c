// A session that outlives its token, in a real browser (Debian's Chromium, as paintbox-browser.mjs), against a
// Paintbox started with a short paintbox.dev-login.token-lifetime. Alice signs in and opens a new estimate; her page
// must fetch a fresh token before the first one expires, and go on after the collaboration server ends the session
// of the old one (4440, which the page's shouldReconnect lets the provider reconnect after): what she writes after
// that expiry reaches Bob, who signs in then.
// Prints one JSON line; exits non-zero on a failed check.
//
//   node paintbox-refresh.mjs <base url> <shots>
import { check, launch, openEstimate, signIn, waitUntil } from './paintbox-pages.mjs'
import { mkdirSync } from 'node:fs'

const [base, shots] = process.argv.slice(2)
if (!base || !shots) {
  console.error('usage: node paintbox-refresh.mjs <base url> <shots>')
  process.exit(2)
}
mkdirSync(shots, { recursive: true })

const signedIn = page => page.evaluate(() => JSON.parse(sessionStorage.getItem('paintbox.user')))
const browser = await launch()
try {
  const alice = await signIn(browser, base, 'Alice')
  await alice.page.fill('#new-title', 'Long session')
  await alice.page.click('#create-estimate')
  await alice.page.waitForURL(/#\/estimates\/[a-z0-9]+$/)
  const id = alice.page.url().split('/').pop()
  await alice.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 30000 })
  await alice.page.waitForSelector('#notes[contenteditable="true"]')
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
  console.log(JSON.stringify({ id, refreshed: true, sockets: alice.sockets.length, status, closeCodes }))
} finally {
  await browser.close()
}
