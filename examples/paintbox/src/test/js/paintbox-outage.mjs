// Paintbox when the network or the server goes away while two people edit, in real browsers (Debian's Chromium,
// headless, driven by playwright-core). Prints one JSON line with what the pages showed; exits non-zero on a failed
// check.
//
//   node paintbox-outage.mjs offline <base url> <shots>
//     Alice and Bob edit one estimate; Bob's browser goes offline, both edit the same room, surface and notes, and
//     Bob comes back: both pages converge with everything either typed, the total the server computes from it, and
//     Alice sees Bob leave and come back.
//   node paintbox-outage.mjs restart <base url> <shots>
//     Alice and Bob edit one estimate; Alice saves a version and creates another estimate, then the script asks the
//     test to kill the server (a line {"step":"kill"} on stdout, answered with a line on stdin once it is dead),
//     both type while it is down, and asks it to start the server again on the same data ({"step":"start"}, answered
//     likewise). The pages must reconnect by themselves and keep what was typed before and during the outage;
//     Carol, who watched the estimate list meanwhile, must find both estimates there (and no error any more), and
//     in the estimate the version and everything typed.
//   node paintbox-outage.mjs mid-edit <base url> <shots>
//     Alice types number after number into a surface; as soon as Bob's page receives a total the server just
//     computed (and stores only a moment later), the script asks the test to kill the server, both type on, and it
//     asks for a start. The pages hold a total that the restarted server never stored: they must not send it back
//     (the server refuses every client's write to `totals`) but start over without it, say so, and end with
//     everything either typed and the total the server computes from it, before and after a reload.
import { createInterface } from 'node:readline'
import { mkdirSync } from 'node:fs'
import {
  addRoom, addSurface, aliceAndBob, check, fillSurface, launch, openEstimate, seen, signIn, typeInNotes, waitUntil
} from './paintbox-pages.mjs'

const [mode, base, shots] = process.argv.slice(2)
if (!['offline', 'restart', 'mid-edit'].includes(mode) || !base || !shots) {
  console.error('usage: node paintbox-outage.mjs offline|restart|mid-edit <base url> <shots>')
  process.exit(2)
}
mkdirSync(shots, { recursive: true })

let answers = null // the test's answers on stdin, read only in restart mode (destroyed at the end, so node ends)
/** Asks the test to do `step` to the server and waits until it says it is done. */
const ask = async step => {
  answers = answers || createInterface({ input: process.stdin })[Symbol.asyncIterator]()
  console.log(JSON.stringify({ step }))
  const answer = await answers.next()
  check(!answer.done, `the test answers ${step}`)
}

const status = who => who.page.locator('.estimate').getAttribute('data-status')
const token = who => who.page.evaluate(() => JSON.parse(sessionStorage.getItem('paintbox.user')).token)
/** Calls Paintbox's API from `who`'s page, as the page does; resolves to [status, body]. */
const call = async (who, method, path, body) => who.page.evaluate(async ({ method, path, body, token }) => {
  const response = await fetch(path, {
    method,
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return [response.status, await response.json().catch(() => null)]
}, { method, path, body, token: await token(who) })

const names = people => people.map(p => p.replace(' (you)', '')).sort().join()

/** Both pages hold the same rooms, notes and totals, and the total is `grand`; returns what they show. */
const converged = async (what, pages, grand, notes, millis = 30000) => (await waitUntil(what, async () => {
  const shown = []
  for (const who of pages) shown.push(await seen(who.page))
  const [a] = shown
  const ok = shown.every(s => JSON.stringify(s.rooms) === JSON.stringify(a.rooms) && s.notes === a.notes &&
    JSON.stringify(s.totals) === JSON.stringify(a.totals) && s.totalShown && s.roomsShown) && a.totals.grand === grand &&
    notes.every(n => a.notes.includes(n))
  return { ok, shown }
}, millis)).shown[0]

/** Alice creates an estimate, Bob opens it, Alice adds a room with one surface (10 m² × 2 coats × 3.00 = 60). */
const start = async (browser, title) => {
  const { alice, bob, id } = await aliceAndBob(browser, base, title)
  const hall = await addRoom(alice)
  await hall.locator('.room-name').fill('Hall')
  await addSurface(hall)
  await typeInNotes(alice, 'Before.')
  await converged('Alice\'s room is on both pages', [alice, bob], 60, ['Before.'])
  return { alice, bob, id }
}

const browser = await launch()
try {
  if (mode === 'offline') {
    const { alice, bob, id } = await start(browser, 'Offline and back')
    await waitUntil('each sees the other', async () => ({
      ok: names((await seen(alice.page)).people) === 'Alice,Bob' && names((await seen(bob.page)).people) === 'Alice,Bob'
    }))

    await bob.context.setOffline(true)
    // At once, from the browser's `offline` event: the socket stays open, and the provider alone noticed only after 30 s
    // without a message.
    await waitUntil('Bob\'s page says it is offline', async () => ({
      ok: (await status(bob)) === 'offline' && await bob.page.locator('#offline').isVisible()
    }))
    await waitUntil('Alice sees Bob leave', async () => ({ ok: names((await seen(alice.page)).people) === 'Alice' }),
      45000)
    // Both change the same room while apart: Bob its surface's area, a new surface and the notes; Alice the same
    // surface's coats, a new room and the notes.
    const bobHall = bob.page.locator('.room').first()
    await bobHall.locator('tr.surface').first().locator('input.area').fill('12')
    await addSurface(bobHall)
    await typeInNotes(bob, ' Bob, offline.')
    const aliceHall = alice.page.locator('.room').first()
    await aliceHall.locator('tr.surface').first().locator('input.coats').fill('3')
    const kitchen = await addRoom(alice)
    await kitchen.locator('.room-name').fill('Kitchen')
    await fillSurface(await addSurface(kitchen), { area: 5, coats: 1, price: 4, product: 'Satin' })
    await typeInNotes(alice, ' Alice, online.')
    await bob.page.screenshot({ path: `${shots}/paintbox-offline-bob.png` })

    await bob.context.setOffline(false)
    // Hall: 12 m² × 3 coats × 3.00 + 10 × 2 × 3.00 = 168; Kitchen: 5 × 1 × 4.00 = 20.
    const shown = await converged('both pages hold both people\'s edits and the server\'s total', [alice, bob], 188,
      ['Before.', 'Bob, offline.', 'Alice, online.'])
    await waitUntil('Alice sees Bob back', async () => ({
      ok: names((await seen(alice.page)).people) === 'Alice,Bob' && (await status(bob)) === 'synced'
    }))
    check(shown.rooms.length === 2 && shown.rooms[0].surfaces.length === 2,
      'two rooms, two surfaces in the hall: ' + JSON.stringify(shown.rooms))
    await alice.page.screenshot({ path: `${shots}/paintbox-back-online-alice.png` })
    console.log(JSON.stringify({ id, grandText: shown.grandText, rooms: shown.rooms, notes: shown.notes }))
  } else if (mode === 'mid-edit') {
    const { alice, bob, id } = await start(browser, 'Killed mid-edit')
    const area = alice.page.locator('.room').first().locator('tr.surface').first().locator('input.area')
    let typed = 10
    const typeNext = async () => { typed++; await area.fill(String(typed)) }
    const grand = who => who.page.evaluate(() => (window.paintbox.doc.getMap('totals').get('estimate') || {}).grand)
    const startedOver = async () => (await alice.page.locator('#started-over').count()) +
      (await bob.page.locator('#started-over').count()) > 0
    // The server computes a total just before it stores a burst of edits, relays it, and stores it with the next
    // burst, 200 ms after the typing pauses at the earliest. Alice types without a pause; as soon as Bob's page
    // receives a total for what she typed, the server is killed. Whether the total was stored by then shows after the
    // restart (the pages start over, and say so): if it was, once more (a loaded machine can be that slow).
    let attempts = 0
    do {
      check(++attempts <= 3, 'a total the server had not stored yet was on the pages when it was killed')
      const before = await grand(bob)
      let typing = true
      const typist = (async () => { while (typing) await typeNext() })()
      await bob.page.waitForFunction(before => {
        const grand = (window.paintbox.doc.getMap('totals').get('estimate') || {}).grand
        return grand !== undefined && grand !== before
      }, before, { polling: 'raf', timeout: 30000 })
      await ask('kill')
      typing = false
      await typist
      for (const who of [alice, bob]) {
        await waitUntil(`${who.name}'s page knows the server is gone`, async () => ({ ok: (await status(who)) !== 'synced' }))
      }
      await typeNext()
      if (attempts === 1) await typeInNotes(bob, ' Typed after the kill.')
      await ask('start')
      await waitUntil('both pages are back', async () => ({
        ok: (await status(alice)) === 'synced' && (await status(bob)) === 'synced'
      }), 90000)
    } while (!(await startedOver()))

    // Hall: typed m² × 2 coats × 3.00.
    const notes = ['Before.', 'Typed after the kill.']
    let shown = await converged('both pages carry on with everything typed', [alice, bob], typed * 6, notes, 90000)
    check(!(await alice.page.locator('#refused').count()) && !(await bob.page.locator('#refused').count()),
      'no page was refused')
    check(shown.rooms[0].surfaces[0].area === typed, 'the area last typed: ' + JSON.stringify(shown.rooms))
    await alice.page.screenshot({ path: `${shots}/paintbox-mid-edit-alice.png` })
    // What the pages keep in the browser holds no lost total either: a reload shows the same, and syncs.
    await alice.page.reload()
    await alice.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 30000 })
    await typeNext()
    shown = await converged('after a reload, one more number', [alice, bob], typed * 6, notes)
    check(!(await alice.page.locator('#refused').count()), 'no page was refused after the reload')
    console.log(JSON.stringify({ id, typed, attempts, grandText: shown.grandText, rooms: shown.rooms, notes: shown.notes }))
  } else {
    const { alice, bob, id } = await start(browser, 'Through a restart')
    // Carol watches the estimate list through the outage.
    const carol = await signIn(browser, base, 'Carol')
    await carol.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
    const [saved] = await call(alice, 'POST', `/api/estimates/${id}/versions`, { label: 'Before the outage' })
    check(saved === 201, 'the version is saved: ' + saved)
    const [created, second] = await call(alice, 'POST', '/api/estimates', { title: 'Created just before' })
    check(created === 201, 'the second estimate is created: ' + created)
    await ask('kill')

    for (const who of [alice, bob]) {
      await waitUntil(`${who.name}'s page knows the server is gone`, async () => ({ ok: (await status(who)) !== 'synced' }))
      // and says what happens to what is typed now
      await who.page.waitForSelector('#not-connected:has-text("kept in this browser")', { timeout: 15000 })
    }
    await carol.page.waitForSelector('.error', { timeout: 15000 }) // the list could not be loaded
    await alice.page.locator('.room').first().locator('tr.surface').first().locator('input.area').fill('25')
    await typeInNotes(bob, ' Typed while the server was down.')
    await (await addRoom(bob)).locator('.room-name').fill('Attic')
    await ask('start')

    // Hall: 25 m² × 2 coats × 3.00 = 150; the attic has no surface.
    const notes = ['Before.', 'Typed while the server was down.']
    const shown = await converged('both pages reconnected by themselves and hold everything', [alice, bob], 150,
      notes, 90000)
    check(shown.rooms.map(r => r.name).join() === 'Hall,Attic', 'the rooms: ' + JSON.stringify(shown.rooms))

    // What the server has: Carol's list shows both estimates again, and no error any more; in the estimate she
    // finds the version and everything typed.
    await waitUntil('Carol\'s list is back, with both estimates', async () => ({
      ok: await carol.page.evaluate(ids => !document.querySelector('.error') &&
        ids.every(e => document.querySelector(`#estimates li[data-id="${e}"]`)), [id, second.id]),
      error: await carol.page.locator('.error').allTextContents()
    }))
    await openEstimate(carol, id)
    const carols = await converged('Carol sees what Alice and Bob see', [carol, alice], 150, notes)
    const [listed, versions] = await call(carol, 'GET', `/api/estimates/${id}/versions`)
    check(listed === 200 && versions.some(v => v.label === 'Before the outage'),
      'the version saved before the kill: ' + JSON.stringify(versions))
    await carol.page.screenshot({ path: `${shots}/paintbox-after-kill-carol.png` })
    console.log(JSON.stringify({ id, second: second.id, grandText: carols.grandText, rooms: carols.rooms,
      notes: carols.notes, versions: versions.map(v => v.label) }))
  }
} finally {
  await browser.close()
  process.stdin.destroy()
}
