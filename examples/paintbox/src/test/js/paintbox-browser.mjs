// Paintbox as two people use it, in two real browsers (Debian's Chromium, headless, driven by playwright-core).
// Prints one JSON line with what the pages showed; exits non-zero on a failed check. Screenshots go to <shots>.
//
//   node paintbox-browser.mjs edit <base url> <shots> [<Bob's base url>]
//     Alice signs in and creates an estimate; Bob signs in, sees Alice on it in the list, and opens it. Both edit
//     at the same time: rooms and surfaces, and the Lexical notes. Both pages must end with the same rooms, notes
//     and server-computed total (the expected one), and each must show both people. With Bob's base url (another
//     instance of a cluster), Bob's browser uses that instance and Alice's the first.
//   node paintbox-browser.mjs reopen <base url> <shots> <estimate id> <expect content: true|false>
//     After a restart: Carol signs in; the estimate must be in the list; she opens it and, if asked, must see the
//     content and total from before.
import {
  addRoom, addSurface, caretInNotes, check, fillSurface, launch, openEstimate, reportPages, seen, signIn as signInAs,
  waitUntil
} from './paintbox-pages.mjs'
import { mkdirSync } from 'node:fs'

const [mode, base, shots, estimateId] = process.argv.slice(2)
const bobBase = mode === 'edit' && process.argv[5] ? process.argv[5] : base
if (!['edit', 'reopen'].includes(mode) || !base || !shots || (mode === 'reopen' && !estimateId)) {
  console.error('usage: node paintbox-browser.mjs edit <base url> <shots> [<Bob\'s base url>]' +
    ' | reopen <base url> <shots> <id> <true|false>')
  process.exit(2)
}
mkdirSync(shots, { recursive: true })

const EXPECTED = {
  grand: 335, // Living room: 20 m² × 2 × 4.50 + 15 m² × 1 × 5.00 = 255; Kitchen: 12.5 m² × 2 × 3.20 = 80
  grandText: '€335.00',
  notes: ['Access via the back door.', 'Alice: hall first.', 'Bob: keep the tiles.']
}

const browser = await launch()
const people = [] // who signed in: their pages are reported when a check fails
const signIn = async name => {
  const who = await signInAs(browser, name === 'Bob' ? bobBase : base, name,
    name === 'Alice' ? `${shots}/paintbox-login.png` : null)
  people.push(who)
  return who
}

try {
  if (mode === 'edit') {
    const alice = await signIn('Alice')
    await alice.page.fill('#new-title', 'Flat in Elm Street')
    await alice.page.click('#create-estimate')
    await alice.page.waitForURL(/#\/estimates\/[a-z0-9]+$/)
    const id = alice.page.url().split('/').pop()
    await alice.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 15000 })
    await alice.page.waitForSelector('#notes[contenteditable="true"]')

    const bob = await signIn('Bob')
    // The list says who has which estimate open (on the instance that serves the list: in a cluster, Bob's page
    // only finds the estimate there, from the shared database).
    await bob.page.waitForSelector(bobBase === base ? `#estimates li[data-id="${id}"] .person:has-text("Alice")`
      : `#estimates li[data-id="${id}"]`, { timeout: 15000 })
    await bob.page.screenshot({ path: `${shots}/paintbox-list-bob.png` })
    await openEstimate(bob, id)

    // Alice's first room and first line of notes; Bob sees them.
    const livingRoom = await addRoom(alice)
    await livingRoom.locator('.room-name').fill('Living room')
    await alice.page.locator('#notes').click()
    await alice.page.keyboard.type('Access via the back door. ')
    await bob.page.waitForFunction(() => document.getElementById('notes').innerText.includes('back door.'), null,
      { timeout: 10000 })
    await bob.page.waitForSelector('.room .room-name[value="Living room"]', { timeout: 10000 })

    // Both at once: Alice fills the living room and writes at the start of the notes; Bob adds the kitchen and
    // writes at the end.
    const aliceWork = async () => {
      const wall = await addSurface(livingRoom)
      const ceiling = await addSurface(livingRoom)
      await fillSurface(wall, { area: 20, coats: 2, price: 4.5, product: 'Wall white matt' })
      await fillSurface(ceiling, { kind: 'Ceiling', area: 15, coats: 1, price: 5, product: 'Ceiling white' })
      await alice.page.locator('#notes').click()
      await alice.page.keyboard.press('Control+Home')
      await caretInNotes(alice.page, 'start')
      await alice.page.keyboard.type('Alice: hall first. ', { delay: 15 })
    }
    const bobWork = async () => {
      // Alice's surfaces reach Bob's page meanwhile and move what is below her room: a click that one of them
      // moves between the mouse's down and up adds nothing, and addRoom and addSurface click again.
      const room = await addRoom(bob)
      await room.locator('.room-name').fill('Kitchen')
      await fillSurface(await addSurface(room), { area: 12.5, coats: 2, price: 3.2, product: 'Kitchen satin' })
      await bob.page.locator('#notes').click()
      await bob.page.keyboard.press('Control+End')
      await caretInNotes(bob.page, 'end')
      await bob.page.keyboard.type(' Bob: keep the tiles.', { delay: 15 })
    }
    await Promise.all([aliceWork(), bobWork()])

    const final = await waitUntil('both pages show the same content and the expected total', async () => {
      const [a, b] = [await seen(alice.page), await seen(bob.page)]
      const same = JSON.stringify(a.rooms) === JSON.stringify(b.rooms) && a.notes === b.notes &&
        a.totalShown && b.totalShown && a.roomsShown && b.roomsShown && JSON.stringify(a.totals) === JSON.stringify(b.totals)
      return { ok: same && a.totals.grand === EXPECTED.grand && a.people.length === 2 && b.people.length === 2, a, b }
    })
    const { a, b } = final
    check(a.grandText === EXPECTED.grandText, 'the total shown is ' + EXPECTED.grandText + ': ' + a.grandText)
    check(a.rooms.length === 2 && a.rooms.map(r => r.name).sort().join() === 'Kitchen,Living room',
      'two rooms: ' + JSON.stringify(a.rooms.map(r => r.name)))
    check(EXPECTED.notes.every(n => a.notes.includes(n)), 'the notes hold what both wrote: ' + JSON.stringify(a.notes))
    check(a.people.some(p => p.startsWith('Bob')) && b.people.some(p => p.startsWith('Alice')),
      'each sees the other: ' + JSON.stringify([a.people, b.people]))
    // One socket per estimate: the notes (Lexical) and the rooms share the estimate's provider.
    for (const who of [alice, bob]) {
      check(who.sockets.length === 1 && who.sockets[0].includes('/estimate-' + id),
        `${who.name}'s page opened one socket, for the estimate: ${JSON.stringify(who.sockets)}`)
    }
    // Cursors: Bob's caret in the notes is drawn on Alice's page (Lexical's collaboration cursors), where Bob
    // stopped typing: at the end of the notes, whatever Alice typed before it meanwhile.
    await waitUntil('Bob\'s cursor is drawn at the end of the notes on Alice\'s page', () => alice.page.evaluate(() => {
      const label = [...document.querySelectorAll('.notes span')].find(s => s.textContent === 'Bob')
      if (!label) return { ok: false, label: false }
      // Lexical draws each cursor as a box of position spans (the caret first) and the name label.
      const caret = label.parentElement.firstElementChild.getBoundingClientRect()
      const walker = document.createTreeWalker(document.getElementById('notes'), NodeFilter.SHOW_TEXT)
      let last = null
      while (walker.nextNode()) last = walker.currentNode
      const end = document.createRange()
      end.setStart(last, last.length)
      const at = end.getBoundingClientRect()
      return {
        ok: Math.abs(caret.left - at.left) < 3 && Math.abs(caret.top - at.top) < 12,
        caret: [caret.left, caret.top],
        end: [at.left, at.top]
      }
    }), 10000)
    await alice.page.screenshot({ path: `${shots}/paintbox-alice.png` })
    await bob.page.screenshot({ path: `${shots}/paintbox-bob.png` })
    // Nothing the pages asked for was missing: a browser asks for /favicon.ico unless the page names an icon.
    for (const who of [alice, bob]) {
      check(!who.warnings.some(w => w.startsWith('Failed to load resource')),
        `${who.name}'s page loaded everything it asked for: ${JSON.stringify(who.warnings)}`)
    }
    console.log(JSON.stringify({ id, grandText: a.grandText, totals: a.totals, notes: a.notes, rooms: a.rooms,
      people: [a.people, b.people] }))
  } else {
    const carol = await signIn('Carol')
    await carol.page.waitForSelector(`#estimates li[data-id="${estimateId}"]`, { timeout: 15000 })
    const title = await carol.page.locator(`#estimates li[data-id="${estimateId}"] a`).textContent()
    await carol.page.screenshot({ path: `${shots}/paintbox-after-restart-list.png` })
    await openEstimate(carol, estimateId)
    const shown = (await waitUntil('the content from before the restart is back', async () => {
      const s = await seen(carol.page)
      return { ok: s.totals.grand === EXPECTED.grand && s.totalShown && s.roomsShown && EXPECTED.notes.every(n => s.notes.includes(n)), s }
    })).s
    check(shown.grandText === EXPECTED.grandText, 'the total after the restart: ' + shown.grandText)
    await carol.page.screenshot({ path: `${shots}/paintbox-after-restart.png` })
    console.log(JSON.stringify({ listed: true, title, grandText: shown.grandText, notes: shown.notes,
      rooms: shown.rooms.length }))
  }
} catch (e) {
  await reportPages(people, shots)
  throw e
} finally {
  await browser.close()
}
