// Paintbox's page when an estimate stops being there for a person, in one real browser (Debian's Chromium, headless,
// driven by playwright-core). Prints one JSON line per scenario, {"scenario": ..., "ok": true|false, "error": ...,
// ...what the pages showed}, and exits 0 unless the browser could not be used at all: the test reads each line.
//
//   node paintbox-access.mjs <base url> <shots> <scenario>...
//     delete  Alice deletes an estimate that Bob has open and that Carol has open while her socket is down (she
//             renames a room meanwhile): Alice's page must go back to the list, which no longer has it; Bob's page
//             must say that Alice deleted it, stop syncing and forget its copy in the browser; Carol's, once her
//             socket is back, must say it was deleted (the socket refuses it) without signing her out, and forget
//             her copy too. Both pages must still show what they had of it, read-only (Carol's with her rename,
//             which never reached the server), for them to copy; Carol keeps hers as a new estimate, which opens
//             with her rename and is not deleted.
//     forged-marks
//             Bob's page, as any client that may write the estimate can try, writes what only the server writes
//             (Yjs, over its socket): a grand total in 'totals', a 'restored' version, a 'deleted' mark. The server
//             must refuse it (close 4403, and the page does not reconnect); Alice's page must never receive any of
//             it: it goes on showing the estimate with the server's total, syncing, keeping its undo history and its
//             copy in the browser; Carol, opening the estimate afterwards, must get Alice's later edit and none of
//             Bob's forgery. Bob's page must say what happened (the server's reason) and what to do, and, once he
//             chooses to start again from the saved estimate, sync and edit again without it.
//     revoke  Vic has an estimate open when the server revokes his access (the test does, once it sees him on it):
//             his page must say so and show nothing to edit, open no socket again (and not sign him in again by
//             itself), and offer to sign in again, which leads to the sign-in form; Alice, on the same estimate,
//             goes on.
//     revoke-on-the-list
//             Wendy creates "Attic", names a room "Loft" and goes back to the estimate list, where the server revokes
//             her access (the test does, once she left the estimate): the list, whose next API call is refused,
//             must say so and stop showing estimates, and must not sign her in again by itself (no login request);
//             "Sign in again" leads to the sign-in form.
import { mkdirSync } from 'node:fs'
import {
  addRoom, aliceAndBob, check, createEstimate, cuttable, openEstimate, runScenarios, signIn, waitUntil
} from './paintbox-pages.mjs'

const [base, shots, ...scenarios] = process.argv.slice(2)
if (!base || !shots || scenarios.length === 0) {
  console.error('usage: node paintbox-access.mjs <base url> <shots> delete|forged-marks|revoke|revoke-on-the-list...')
  process.exit(2)
}
mkdirSync(shots, { recursive: true })

/**
 * What `who`'s page says instead of the estimate ({ why, text, kept: the room names it still shows of it }), or null
 * while it shows the estimate.
 */
const gone = who => who.page.evaluate(() => {
  const p = document.getElementById('estimate-gone')
  const kept = [...document.querySelectorAll('#estimate-kept .room-name')].map(e => e.textContent)
  return p && { why: p.dataset.why, text: p.textContent, kept }
})

/** What `who`'s page says of a revoked access, or null while it says nothing of it. */
const revokedNotice = who => who.page.evaluate(() => document.getElementById('access-revoked')?.textContent ?? null)

/** The names of this browser profile's IndexedDB databases (the pages' kept copies of estimates). */
const keptCopies = who => who.page.evaluate(async () => (await indexedDB.databases()).map(d => d.name))

const SCENARIOS = {
  async delete (browser) {
    const { alice, bob, id } = await aliceAndBob(browser, base, 'Garden shed')
    await (await addRoom(alice)).locator('.room-name').fill('Shed')
    const carol = await signIn(browser, base, 'Carol')
    const line = await cuttable(carol.context)
    await carol.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
    await openEstimate(carol, id)
    await carol.page.waitForSelector('.room .room-name[value="Shed"]', { timeout: 15000 })
    await line.cut(carol)
    await carol.page.locator('.room').first().locator('.room-name').fill('Shed, renamed offline')
    const copy = `paintbox/Carol/estimate-${id}`
    await waitUntil('Carol\'s page keeps the estimate in the browser', async () => ({
      ok: (await keptCopies(carol)).includes(copy)
    }))

    await alice.page.click('#delete-estimate')
    await alice.page.click('#delete-yes')
    await alice.page.waitForSelector('#new-title', { timeout: 15000 }) // the list
    await waitUntil('Alice\'s list no longer has it', async () => ({
      ok: await alice.page.locator(`#estimates li[data-id="${id}"]`).count() === 0
    }))
    const bobSaw = (await waitUntil('Bob\'s page says Alice deleted it', async () => {
      const g = await gone(bob)
      return { ok: g !== null && g.why === 'deleted', g }
    })).g
    check(bobSaw.text.includes('deleted by Alice'), 'Bob\'s page names who deleted it: ' + bobSaw.text)
    check(JSON.stringify(bobSaw.kept) === '["Shed"]', 'Bob\'s page still shows what it had: ' + bobSaw.kept)
    check(await bob.page.evaluate(() => !window.paintbox.provider.wsconnected && !window.paintbox.provider.shouldConnect),
      'Bob\'s page stopped syncing')
    await waitUntil('Bob\'s copy in the browser is gone', async () => ({
      ok: !(await keptCopies(bob)).includes(`paintbox/Bob/estimate-${id}`)
    }))
    await bob.page.screenshot({ path: `${shots}/deleted-bob.png` })

    line.restore()
    const carolSaw = (await waitUntil('Carol\'s page, back online, says it was deleted', async () => {
      const g = await gone(carol)
      return { ok: g !== null && g.why === 'deleted', g }
    }, 30000)).g
    check(await carol.page.locator('#sign-out').count() === 1, 'Carol is still signed in')
    check(JSON.stringify(carolSaw.kept) === '["Shed, renamed offline"]',
      'Carol\'s page still shows what it had, her rename offline with it: ' + carolSaw.kept)
    await waitUntil('Carol\'s copy in the browser is gone, her rename with it', async () => ({
      ok: !(await keptCopies(carol)).includes(copy)
    }))
    await carol.page.screenshot({ path: `${shots}/deleted-carol.png` })

    // Carol keeps what her page had as a new estimate: her rename offline with it.
    await carol.page.click('#keep-estimate')
    await carol.page.waitForURL(url => /#\/estimates\/[a-z0-9]+$/.test(url.hash) && !url.hash.endsWith(id))
    await carol.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 15000 })
    const keptAs = (await waitUntil('Carol\'s new estimate has what her page had', async () => {
      const shown = await carol.page.evaluate(() => ({
        title: document.getElementById('estimate-title')?.textContent,
        rooms: [...document.querySelectorAll('.rooms > .room .room-name')].map(input => input.value),
        gone: document.getElementById('estimate-gone') !== null
      }))
      return { ok: JSON.stringify(shown.rooms) === '["Shed, renamed offline"]', shown }
    })).shown
    check(!keptAs.gone && keptAs.title === 'Garden shed (kept)', 'Carol\'s new estimate is not deleted: ' +
      JSON.stringify(keptAs))
    for (const who of [alice, bob, carol]) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
    return { id, bob: bobSaw.text.trim(), carol: carolSaw.text.trim(), kept: [bobSaw.kept, carolSaw.kept], keptAs }
  },

  async 'forged-marks' (browser) {
    const { alice, bob, id } = await aliceAndBob(browser, base, 'Hallway')
    await (await addRoom(alice)).locator('.room-name').fill('Hall')
    await bob.page.waitForSelector('.room .room-name[value="Hall"]', { timeout: 15000 })
    const copy = `paintbox/Alice/estimate-${id}`
    await waitUntil('Alice\'s page keeps the estimate in the browser and can undo', async () => ({
      ok: (await keptCopies(alice)).includes(copy) && await alice.page.locator('#undo:not([disabled])').count() === 1
    }))
    const grandBefore = await alice.page.evaluate(() => window.paintbox.doc.getMap('totals').get('estimate')?.grand)

    const closed = await bob.page.evaluate(() => new Promise(resolve => {
      const { doc, provider } = window.paintbox
      provider.on('connection-close', event => resolve({ code: event?.code, reason: event?.reason }))
      setTimeout(() => resolve({ code: null, reason: 'not closed within 15 s' }), 15000)
      doc.transact(() => {
        doc.getMap('totals').set('estimate', { grand: 999999, area: 1, rooms: {} })
        doc.getMap('restored').set('version', 1)
        doc.getMap('deleted').set('by', 'Mallory')
      })
    }))
    check(closed.code === 4403, 'Bob\'s page is refused with 4403: ' + JSON.stringify(closed))
    const socketsThen = bob.sockets.length
    await bob.page.waitForTimeout(3000) // the provider's back-off: a reconnect would show by now
    check(bob.sockets.length === socketsThen && !(await bob.page.evaluate(() => window.paintbox.provider.wsconnected)),
      'Bob\'s page does not reconnect')
    const refused = await bob.page.locator('#refused').textContent({ timeout: 15000 })
    check(refused.includes(closed.reason) && refused.includes('start again from the saved estimate'),
      'Bob\'s page says what happened and what to do: ' + refused)
    await bob.page.screenshot({ path: `${shots}/refused-bob.png` })

    const forgery = who => who.page.evaluate(() => {
      const doc = window.paintbox.doc
      return {
        grand: doc.getMap('totals').get('estimate')?.grand,
        restored: doc.getMap('restored').size,
        deleted: doc.getMap('deleted').size
      }
    })
    const aliceHas = await forgery(alice)
    check(aliceHas.grand === grandBefore && aliceHas.restored === 0 && aliceHas.deleted === 0,
      'Alice\'s page received none of it: ' + JSON.stringify(aliceHas))
    check(await gone(alice) === null, 'Alice\'s page says the estimate is gone: ' + JSON.stringify(await gone(alice)))
    check(await alice.page.evaluate(() => window.paintbox.provider.wsconnected), 'Alice\'s page still syncs')
    check(await alice.page.locator('#undo:not([disabled])').count() === 1, 'Alice\'s page can still undo')
    check((await keptCopies(alice)).includes(copy), 'Alice\'s copy in the browser is kept')
    await alice.page.locator('.room').first().locator('.room-name').fill('Hall and stairs')
    await alice.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 15000 })

    const carol = await signIn(browser, base, 'Carol')
    await carol.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
    await openEstimate(carol, id)
    await carol.page.waitForSelector('.room .room-name[value="Hall and stairs"]', { timeout: 15000 })
    const carolHas = await forgery(carol)
    check(carolHas.grand !== 999999 && carolHas.restored === 0 && carolHas.deleted === 0,
      'Carol\'s page has none of it: ' + JSON.stringify(carolHas))
    const rooms = await carol.page.evaluate(() => [...document.querySelectorAll('.rooms > .room .room-name')]
      .map(input => input.value))

    // Bob starts again from the saved estimate: his browser's copy (with the refused change) is forgotten, and the
    // page syncs and edits again.
    await bob.page.click('#start-again')
    await bob.page.waitForSelector('.estimate[data-status="synced"] #add-room', { timeout: 30000 })
    await bob.page.waitForSelector('.room .room-name[value="Hall and stairs"]', { timeout: 15000 })
    const bobHas = await forgery(bob)
    check(bobHas.grand === aliceHas.grand && bobHas.restored === 0 && bobHas.deleted === 0 &&
      await bob.page.locator('#refused').count() === 0, 'Bob\'s page starts again without it: ' + JSON.stringify(bobHas))
    await (await addRoom(bob)).locator('.room-name').fill('Landing')
    await alice.page.waitForSelector('.room .room-name[value="Landing"]', { timeout: 15000 })
    for (const who of [alice, bob, carol]) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
    return { id, bob: closed, refused: refused.trim(), rooms }
  },

  async revoke (browser) {
    const { alice, bob: vic, id } = await aliceAndBob(browser, base, 'Porch', 'Vic')
    await (await addRoom(vic)).locator('.room-name').fill('Porch')
    // The test revokes Vic once the server has him on the estimate (who has which estimate open).
    const vicSaw = (await waitUntil('Vic\'s page says his access was revoked', async () => {
      const text = await revokedNotice(vic)
      return { ok: text !== null, text }
    }, 60000)).text
    check(await vic.page.locator('.room-name, #add-room, #notes').count() === 0, 'Vic\'s page shows nothing to edit')
    const socketsThen = vic.sockets.length
    await vic.page.waitForTimeout(6000) // the provider's back-off reaches 2.5 s: several tries would show by now
    check(vic.sockets.length === socketsThen, `Vic's page opened no socket after the revocation: ${vic.sockets.length - socketsThen}`)
    check(await revokedNotice(vic) !== null, 'Vic\'s page still says so (it did not sign him in again)')
    await vic.page.screenshot({ path: `${shots}/revoked-vic.png` })
    await vic.page.click('#sign-in-again')
    await vic.page.waitForSelector('#login-name', { timeout: 15000 })

    await alice.page.locator('.room').first().locator('.room-name').fill('Porch and steps')
    check(await alice.page.locator('.estimate').getAttribute('data-status') === 'synced', 'Alice goes on')
    for (const who of [alice, vic]) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
    return { id, vic: vicSaw.trim() }
  },

  async 'revoke-on-the-list' (browser) {
    const wendy = await signIn(browser, base, 'Wendy')
    const id = await createEstimate(wendy, 'Attic')
    await (await addRoom(wendy)).locator('.room-name').fill('Loft')
    await waitUntil('Wendy\'s room name is sent', async () => ({
      ok: await wendy.page.evaluate(() => !window.paintbox.provider.ws?.bufferedAmount)
    }))
    const logins = []
    wendy.page.on('request', r => { if (new URL(r.url()).pathname === '/api/login') logins.push(r.url()) })
    await wendy.page.click('text=← Estimates')
    // The test revokes Wendy once the server no longer has her on the estimate: before or after the list's first
    // call, which asks every 3 s.
    const wendySaw = (await waitUntil('Wendy\'s list says her access was revoked', async () => {
      const text = await revokedNotice(wendy)
      return { ok: text !== null, text }
    }, 60000)).text
    check(new URL(wendy.page.url()).hash === '#/', 'Wendy\'s page is the list\'s: ' + wendy.page.url())
    check(await wendy.page.locator('#estimates, #new-title').count() === 0, 'Wendy\'s page shows no estimates')
    await wendy.page.waitForTimeout(4000) // longer than the list's 3 s between calls
    check(logins.length === 0, `Wendy's page signed her in again by itself: ${logins.length} login requests`)
    check(await revokedNotice(wendy) !== null, 'Wendy\'s page still says so')
    await wendy.page.screenshot({ path: `${shots}/revoked-wendy.png` })
    await wendy.page.click('#sign-in-again')
    await wendy.page.waitForSelector('#login-name', { timeout: 15000 })
    check(wendy.errors.length === 0, `Wendy's page had errors: ${wendy.errors}`)
    return { id, wendy: wendySaw.trim() }
  }
}

await runScenarios(SCENARIOS, scenarios)
