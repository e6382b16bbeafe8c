// Paintbox's page where a person's timing or the network makes the difference, in one real browser (Debian's
// Chromium, headless, driven by playwright-core) for all scenarios. Prints one JSON line per scenario,
// {"scenario": ..., "ok": true|false, "error": ..., ...what the pages showed}, and exits 0 unless the browser
// could not be used at all: the test reads each scenario's line.
//
//   node paintbox-page.mjs <base url> <shots> <scenario>...
//     remove   Bob removes a room, then a surface; each removal reaches Alice's page just before she clicks
//              "Remove room" on another room (then ✕ on another surface), before the page has drawn it: the one she
//              clicked must go, and nothing else.
//     big      Alice types into a surface's paint and area, and a room's name, of a 300-room estimate: every
//              character must be in the fields, in the document and at Bob's, and the total the server's.
//     config   A page whose first tries at /api/config (and at the estimate's own /api/estimates/<id>) find no
//              server must show the list (the estimate) once the server answers.
//     offline  Alice types while offline, reloads (the browser's offline page) and comes back online: what she typed
//              must reach Bob.
//     readonly Rita, whose token (PAINTBOX_READ_TOKEN) may only read, finds no "Create estimate" in the list (it
//              says why) and opens an estimate from it: its fields must be
//              read-only, the notes not editable, no button that edits there (nor "Restore" beside its versions,
//              which she may view), and what she types must change
//              nothing. An edit made in her page all the same (the server drops it) must not come back when she
//              opens the estimate again: the page must show it as the server has it.
//     twousers Alice and Bob in one browser profile, each in a tab of their own: Alice renames a room while her tab
//              is offline; Bob's tab must neither show it nor send it to the server (Carol, elsewhere, sees the
//              server's). Alice signs out, Bob signs in in her tab: the same. Alice signs in again and opens the
//              estimate: her rename goes out, as hers.
//     names    Alice and Bob type into one room's name (a plain string, as estimates from before hold it) at once,
//              she at its start and he at its end, then again with Bob offline: both pages must end with every
//              character of both, in the order typed; Alice's undo then takes back only her own typing.
//     figures  Alice and Bob type into the wall's area of one surface at once ("12.5" and "20"), their keystrokes
//              taking turns, each reaching the other's page while they type: each field must show what its person
//              typed while they type, and once both left it both must show the last number written (20, Bob's) and
//              its total (a number is one value, the last one written wins; a field that showed the other's number
//              at once took the next keystrokes into it, a number neither typed).
//     missing  Dora opens an estimate id that is none (made up, or of the wrong form): the page must say so and
//              open no collaboration socket (which would create a document no estimate in the list stands for).
//              An address that is no page at all must say so (404) and lead back to the list.
//     twotabs  Alice in two tabs of one browser, both open on the estimate: her first tab's socket goes down and she
//              renames a room there; in her second tab, online, she types on at the end of that name: Carol
//              (another browser) must get the second tab's typing at once. Then both tabs offline, each types;
//              back online, all three pages must end with everything both tabs typed.
//     ime      Alice composes Japanese at the end of a room's name with an input method (CDP's imeSetComposition)
//              while Bob's typing at its start reaches her: Bob's document must never hold half-composed text,
//              hers must end with what was composed after his change, her caret after it (she types on), and
//              full-width digits composed into an area must read as the number.
//     restore  Alice restores a version while Bob types into a room's name that the version had otherwise: Bob's
//              document must never hold a half-restored estimate, both pages must end with the version and what Bob
//              typed after the restore reached him (where his caret was), and Alice's undo after the restore must
//              bring back nothing beside what the restore put back (no name twice).
//     keyboard Alice uses the keyboard alone (Tab, Shift+Tab, Enter, Escape, Ctrl+Z): creates an estimate, adds a
//              room (its name takes the focus) and surfaces, types figures; after ✕ on a surface and "Remove room"
//              the focus must be on the neighbouring ✕ or "Remove room" (not back at the page's start); "Delete"
//              must ask with the focus on "Cancel", Escape cancel with the focus back on "Delete". Bob, on the same
//              estimate, must see every edit, and the deletion.
//     builton  Alice undoes while Bob builds on what she did: her undo of an area while Bob types into the same
//              surface's paint must take back her area and keep all his typing; her undo of "+ Room" and of
//              "+ Surface" where Bob has added a surface or typed since must leave that room or surface there, with
//              his work (one press, one step: the press after them takes back the step before them).
//     undo     Alice's undo after Bob's edit of the same name (and of the same surface) takes back only hers, her
//              caret stays after what is left before it, and the server's total follows; undo while offline and
//              after coming back takes back her own edits only, and redo brings them back.
import { mkdirSync } from 'node:fs'
import {
  addRoom, addSurface, aliceAndBob, check, createEstimate, cuttable, fillSurface, openEstimate, runScenarios, seen, signIn,
  signInTab, typeInNotes, waitUntil
} from './paintbox-pages.mjs'

const [base, shots, ...scenarios] = process.argv.slice(2)
if (!base || !shots || scenarios.length === 0) {
  console.error('usage: node paintbox-page.mjs <base url> <shots> remove|big|config|offline|readonly|twousers|names|figures|missing|twotabs|ime|restore|undo|builton|keyboard...')
  process.exit(2)
}
mkdirSync(shots, { recursive: true })

/** The rooms' names in `who`'s document, once the page has drawn what the document holds. */
const names = async who => {
  const s = await seen(who.page)
  return s.roomsShown ? s.rooms.map(r => r.name) : 'not drawn yet'
}
const products = async (who, room) => {
  const s = await seen(who.page)
  return s.roomsShown ? s.rooms[room].surfaces.map(s => s.product) : 'not drawn yet'
}

/** Waits until every page's document holds `expected` (a function of what a page shows) and returns it. */
const allHold = (what, pages, read, expected, millis = 20000) => waitUntil(what, async () => {
  const shown = []
  for (const who of pages) shown.push(await read(who))
  return { ok: shown.every(s => JSON.stringify(s) === JSON.stringify(expected)), shown }
}, millis)

/**
 * Runs `edit` on Bob's page with his provider disconnected, so that his change stays there, and returns the updates
 * it made (then connects him again).
 */
const bobsUpdates = async (bob, edit) => {
  await bob.page.evaluate(() => {
    const { doc, provider } = window.paintbox
    window.captured = []
    window.capture = (update, origin) => { if (origin !== provider) window.captured.push(Array.from(update)) }
    doc.on('update', window.capture)
    provider.disconnect()
  })
  await edit()
  return bob.page.evaluate(() => {
    window.paintbox.doc.off('update', window.capture)
    return window.captured
  })
}

/**
 * Hands `updates` to Alice's page as its provider receives them from the server (y-websocket's sync message, type
 * update) and clicks `selector` in the same task: the click comes before React has drawn the change.
 */
const arriveThenClick = (alice, updates, selector) => alice.page.evaluate(({ updates, selector }) => {
  const varUint = (out, n) => { while (n > 127) { out.push((n & 127) | 128); n >>>= 7 } out.push(n) }
  const { provider } = window.paintbox
  for (const update of updates) {
    const message = []
    varUint(message, 0) // messageSync
    varUint(message, 2) // messageYjsUpdate
    varUint(message, update.length)
    message.push(...update)
    provider.ws.onmessage({ data: new Uint8Array(message).buffer })
  }
  document.querySelector(selector).click()
}, { updates, selector })

const SCENARIOS = {
  async remove (browser) {
    const { alice, bob } = await aliceAndBob(browser, base, 'Rooms removed')
    const both = [alice, bob]
    let attic
    for (const name of ['Hall', 'Kitchen', 'Attic']) {
      attic = await addRoom(alice)
      await attic.locator('.room-name').fill(name)
    }
    for (const product of ['A', 'B', 'C']) await (await addSurface(attic)).locator('input.product').fill(product)
    await allHold('both pages have the three rooms', both, names, ['Hall', 'Kitchen', 'Attic'])
    await allHold('both pages have the attic\'s surfaces', both, who => products(who, 2), ['A', 'B', 'C'])
    const roomId = async (who, name) => (await seen(who.page)).rooms.find(r => r.name === name).id

    // Bob removes the hall; his removal reaches Alice just as she removes the kitchen.
    const hall = await roomId(bob, 'Hall')
    const removedHall = await bobsUpdates(bob, () => bob.page.click(`.room[data-room="${hall}"] .remove-room`))
    await arriveThenClick(alice, removedHall, `.room[data-room="${await roomId(alice, 'Kitchen')}"] .remove-room`)
    await bob.page.evaluate(() => window.paintbox.provider.connect())
    const rooms = await allHold('both pages keep only the attic', both, names, ['Attic'])

    // Bob removes the attic's surface A; it reaches Alice just as she removes B.
    const removedA = await bobsUpdates(bob, () => bob.page.locator('.room tr.surface').nth(0)
      .locator('.remove-surface').click())
    await arriveThenClick(alice, removedA, '.room tr.surface:nth-child(2) .remove-surface')
    await bob.page.evaluate(() => window.paintbox.provider.connect())
    const surfaces = await allHold('both pages keep only surface C', both, who => products(who, 0), ['C'])
    for (const who of both) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
    return { rooms: rooms.shown[0], surfaces: surfaces.shown[0] }
  },

  async big (browser) {
    const { alice, bob } = await aliceAndBob(browser, base, 'A big house')
    await addRoom(alice) // a room and its surfaces' array: the page's Y.Map and Y.Array classes
    await alice.page.evaluate(count => {
      const { doc } = window.paintbox
      const rooms = doc.getArray('rooms')
      const YMap = rooms.get(0).constructor
      const YArray = rooms.get(0).get('surfaces').constructor
      doc.transact(() => {
        rooms.delete(0, 1)
        for (let r = 0; r < count; r++) {
          const room = new YMap()
          const surfaces = new YArray()
          rooms.push([room])
          room.set('id', 'room' + r)
          room.set('name', 'Room ' + (r + 1))
          room.set('surfaces', surfaces)
          for (let s = 0; s < 2; s++) {
            const surface = new YMap()
            surfaces.push([surface])
            for (const [k, v] of Object.entries({ id: `s${r}-${s}`, kind: 'Wall', area: 10, coats: 2, product: '', price: 3 })) {
              surface.set(k, v)
            }
          }
        }
      })
    }, 300)
    // 300 rooms of two surfaces: 10 m² × 2 coats × 3.00 each, 36,000 in all.
    for (const who of [alice, bob]) {
      await waitUntil(`${who.name}'s page shows the 300 rooms and the server's total`, async () => {
        const s = await seen(who.page)
        return { ok: s.totalShown && s.totals.grand === 36000 && await who.page.locator('.room').count() === 300 }
      }, 30000)
    }

    const paint = 'Diamond Matt, Pure Brilliant White 5L'
    const name = 'Room 300 (the attic, north side)'
    const room = alice.page.locator('.room').nth(149)
    const product = room.locator('tr.surface').nth(1).locator('input.product')
    await product.click()
    await alice.page.keyboard.type(paint)
    const area = room.locator('tr.surface').nth(0).locator('input.area')
    await area.click()
    await alice.page.keyboard.press('Control+a')
    await alice.page.keyboard.type('123.5')
    const last = alice.page.locator('.room').nth(299).locator('.room-name')
    await last.click()
    await alice.page.keyboard.press('End')
    await alice.page.keyboard.type(name.slice('Room 300'.length))
    const fields = { product: await product.inputValue(), area: await area.inputValue(), name: await last.inputValue() }
    check(JSON.stringify(fields) === JSON.stringify({ product: paint, area: '123.5', name }),
      'the fields hold every character typed: ' + JSON.stringify(fields))

    // 36,000 - 60 + 123.5 m² × 2 coats × 3.00 = 36,681.
    const typed = async who => {
      const s = await seen(who.page)
      return [s.rooms[149].surfaces[1].product, s.rooms[149].surfaces[0].area, s.rooms[299].name,
        s.totalShown && s.roomsShown && s.totals.grand]
    }
    await allHold('both documents hold what Alice typed, and both pages the server\'s total', [alice, bob], typed,
      [paint, 123.5, name, 36681], 30000)
    for (const who of [alice, bob]) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
    await alice.page.screenshot({ path: `${shots}/paintbox-300-rooms.png` })
    return { fields }
  },

  async config (browser) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' })
    // The first tries find no server: an answer 503 (a proxy without its backend), then no connection at all.
    let configTries = 0
    await context.route('**/api/config', route => ++configTries === 1
      ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"message":"Service Unavailable"}' })
      : configTries <= 3 ? route.abort('connectionrefused') : route.continue())
    let estimateTries = 0
    await context.route(/\/api\/estimates\/[a-z0-9]{10}$/, route =>
      route.request().method() === 'GET' && ++estimateTries <= 2 ? route.abort('connectionrefused') : route.continue())
    const page = await context.newPage()
    const who = { context, page, name: 'Dora', errors: [] }
    page.on('pageerror', e => who.errors.push(e.message))
    await page.goto(base)
    await page.fill('#login-name', 'Dora')
    await page.click('#login-submit')
    await page.waitForSelector('#new-title', { timeout: 20000 })
    check(configTries >= 4, '/api/config was asked until it answered: ' + configTries)
    const id = await createEstimate(who, 'Opened while the server starts')
    await waitUntil('the page shows the estimate\'s title, asked until answered', async () => ({
      ok: await page.locator('#estimate-title').textContent() === 'Opened while the server starts',
      error: await page.locator('.error').allTextContents()
    }))
    check(estimateTries >= 3, 'the estimate was asked for until it was answered: ' + estimateTries)
    check(who.errors.length === 0, 'the page had errors: ' + who.errors)
    return { id, configTries, estimateTries }
  },

  async offline (browser) {
    const alice = await signIn(browser, base, 'Alice')
    const line = await cuttable(alice.context)
    const id = await createEstimate(alice, 'Typed offline')
    const bob = await signIn(browser, base, 'Bob')
    await bob.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
    await openEstimate(bob, id)
    const hall = await addRoom(alice)
    await hall.locator('.room-name').fill('Hall')
    await addSurface(hall)
    await allHold('both pages have the hall', [alice, bob], names, ['Hall'])

    await alice.context.setOffline(true)
    await line.cut(alice)
    await hall.locator('.room-name').fill('Hall, typed offline')
    await addSurface(hall)
    await typeInNotes(alice, 'Typed offline.')
    await alice.page.reload().then(() => null, e => e) // the browser's "No internet" page
    check(await alice.page.evaluate(() => window.paintbox === undefined).catch(() => true),
      'the reload while offline left the page')
    line.restore()
    await alice.context.setOffline(false)
    await alice.page.goto(`${base}?back#/estimates/${id}`) // not the same URL: a new page, whatever the last one was
    await alice.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 20000 })

    const typed = async who => {
      const s = await seen(who.page)
      return [s.roomsShown && s.rooms.map(r => `${r.name}: ${r.surfaces.length}`), s.notes.includes('Typed offline.')]
    }
    const shown = await allHold('what Alice typed offline reached Bob', [alice, bob], typed,
      [['Hall, typed offline: 2'], true])
    for (const who of [alice, bob]) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
    return { shown: shown.shown[1] }
  },

  async readonly (browser) {
    const token = process.env.PAINTBOX_READ_TOKEN
    check(token, 'PAINTBOX_READ_TOKEN holds a read-only token')
    const alice = await signIn(browser, base, 'Alice')
    const id = await createEstimate(alice, 'Read only')
    await (await addRoom(alice)).locator('.room-name').fill('Hall')
    await alice.page.fill('#version-label', 'Before Rita')
    await alice.page.click('#save-version')
    await alice.page.waitForSelector('#versions li .version-label:has-text("Before Rita")')
    // Rita's tab is signed in with her read-only token, as a page of a host's own login would be.
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' })
    await context.addInitScript(user => {
      if (!sessionStorage.getItem('paintbox.user')) sessionStorage.setItem('paintbox.user', JSON.stringify(user))
    }, { name: 'Rita', token, color: '#667085', expires: new Date(Date.now() + 3600000).toISOString() })
    const rita = { context, page: await context.newPage(), name: 'Rita', errors: [] }
    rita.page.on('pageerror', e => rita.errors.push(e.message))
    // The list offers her no "Create estimate" (the server would refuse it), and says why.
    await rita.page.goto(base)
    await rita.page.waitForSelector('#may-not-create', { timeout: 15000 })
    check(await rita.page.locator('#new-title, #create-estimate').count() === 0, 'Rita\'s list offers no "Create estimate"')
    await rita.page.click(`#estimates li[data-id="${id}"] a`)
    await rita.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 20000 })
    await allHold('Rita sees the hall', [alice, rita], names, ['Hall'])
    await typeInNotes(alice, 'Bring ladders.')
    await waitUntil('Rita sees the notes', async () => ({ ok: (await seen(rita.page)).notes === 'Bring ladders.' }))

    // What she may not change is read-only, and what she types changes nothing.
    const page = rita.page
    await page.waitForSelector('#read-only')
    await page.waitForSelector('#notes[contenteditable="false"]')
    await page.waitForSelector('#versions li .view-version') // she may look at versions, not restore them
    const editing = { addRoom: '#add-room', removeRoom: '.remove-room', undo: '#undo', saveVersion: '#save-version',
      restoreVersion: '.restore-version' }
    for (const [what, selector] of Object.entries(editing)) {
      check(await page.locator(selector).count() === 0, `Rita's page offers no ${what}`)
    }
    const name = page.locator('.room').first().locator('.room-name')
    check(await name.getAttribute('readonly') !== null, 'the room\'s name is read-only')
    await name.click()
    await page.keyboard.type('Rita was here')
    await page.locator('#notes').click()
    await page.keyboard.type('Rita was here')
    await waitUntil('Rita\'s page shows the estimate as it was', async () => {
      const s = await seen(page)
      return { ok: s.roomsShown && JSON.stringify(s.rooms.map(r => r.name)) === '["Hall"]' && s.notes === 'Bring ladders.', s }
    })
    const readOnly = { name: await name.inputValue(), notes: (await seen(page)).notes }

    // An edit in her page all the same (a script, an older page): the server drops it, and it stays dropped.
    await page.evaluate(() => window.paintbox.doc.getArray('rooms').get(0).set('name', 'Rita was here'))
    await allHold('Rita\'s page has her edit', [rita], names, ['Rita was here'])
    check(JSON.stringify(await names(alice)) === '["Hall"]', 'the server dropped Rita\'s edit')
    await rita.page.click('a[href="#/"]')
    await rita.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
    await rita.page.click(`#estimates li[data-id="${id}"] a`)
    await rita.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 15000 })
    const shown = await allHold('both pages show the hall as the server has it', [alice, rita], names, ['Hall'])
    check(rita.errors.length === 0, 'Rita\'s page had errors: ' + rita.errors)
    return { readOnly, shown: shown.shown[1] }
  },

  async twousers (browser) {
    // One browser profile (one context: one IndexedDB, one set of BroadcastChannels), a tab per person.
    const profile = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' })
    const alice = await signInTab(profile, base, 'Alice')
    const line = await cuttable(alice.page) // her tab's only
    const id = await createEstimate(alice, 'Two people, one browser')
    const hall = await addRoom(alice)
    await hall.locator('.room-name').fill('Hall')
    const carol = await signIn(browser, base, 'Carol') // the server's view, from another browser
    await carol.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
    await openEstimate(carol, id)
    await allHold('Carol sees the hall', [alice, carol], names, ['Hall'])

    await line.cut(alice)
    await hall.locator('.room-name').fill('Hall, renamed offline by Alice')

    // Bob, in another tab of the same browser: his page and the server must not get what Alice has not sent.
    const addNamedRoom = async (who, room) => (await addRoom(who)).locator('.room-name').fill(room)
    // Signing out leaves the tab at the estimate: the next person to sign in there is taken to it.
    const signOutAndIn = async (who, name, signedOut = () => {}) => {
      await who.page.click('#sign-out')
      await who.page.waitForSelector('#login-name')
      signedOut()
      await who.page.fill('#login-name', name)
      await who.page.click('#login-submit')
      await who.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 15000 })
      await who.page.waitForSelector('#notes[contenteditable="true"]')
      return { ...who, name }
    }
    const bob = await signInTab(profile, base, 'Bob')
    await bob.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
    await openEstimate(bob, id)
    await addNamedRoom(bob, 'Bob\'s room')
    // Bob's room reaches Carol after anything Bob's page had to send before it (one socket, in order).
    const inTab = await allHold('Carol and Bob have the hall and Bob\'s room', [carol, bob], names,
      ['Hall', 'Bob\'s room'])

    // Alice signs out (her tab still offline); Bob signs in in her tab, online again.
    const bobInHerTab = await signOutAndIn(alice, 'Bob', () => line.restore())
    await addNamedRoom(bobInHerTab, 'Bob\'s second room')
    const afterSignOut = await allHold('Carol and Bob have the hall and Bob\'s rooms', [carol, bob, bobInHerTab],
      names, ['Hall', 'Bob\'s room', 'Bob\'s second room'])

    // Alice again: her copy in this browser still has her rename, which now goes out as hers.
    const aliceAgain = await signOutAndIn(bob, 'Alice')
    const back = await allHold('Alice\'s rename reached Carol', [carol, aliceAgain], names,
      ['Hall, renamed offline by Alice', 'Bob\'s room', 'Bob\'s second room'])
    for (const who of [alice, bob, carol]) check(who.errors.length === 0, `${who.name}'s tab had errors: ${who.errors}`)
    return { bob: inTab.shown[0], afterSignOut: afterSignOut.shown[0], alice: back.shown[0] }
  },

  async names (browser) {
    const { alice, bob } = await aliceAndBob(browser, base, 'Typing into one name')
    const both = [alice, bob]
    await addRoom(alice)
    await alice.page.evaluate(() => window.paintbox.doc.getArray('rooms').get(0).set('name', 'Kitchen')) // as before
    await allHold('both pages have the kitchen', both, names, ['Kitchen'])
    const field = who => who.page.locator('.room').first().locator('.room-name')
    const typeAt = async (who, key, text) => {
      await field(who).click()
      await who.page.keyboard.press(key)
      await who.page.keyboard.type(text, { delay: 40 })
    }
    await typeAt(alice, 'End', ' north') // the first keystroke makes the string a Y.Text
    await allHold('both pages have the kitchen north', both, names, ['Kitchen north'])

    await Promise.all([typeAt(alice, 'Home', 'Big '), typeAt(bob, 'End', ', by the stairs')])
    const atOnce = await allHold('both pages have what both typed at once', both, names,
      ['Big Kitchen north, by the stairs'])

    await bob.page.evaluate(() => window.paintbox.provider.disconnect())
    await typeAt(bob, 'End', ' (2)')
    await alice.page.click('#estimate-title') // out of the field: her next typing is an undo step of its own
    await typeAt(alice, 'Home', 'Very ')
    await bob.page.evaluate(() => window.paintbox.provider.connect())
    const offline = await allHold('both pages have what both typed, Bob offline', both, names,
      ['Very Big Kitchen north, by the stairs (2)'])

    await alice.page.keyboard.press('Control+z')
    const undone = await allHold('Alice\'s undo took back her last typing only', both, names,
      ['Big Kitchen north, by the stairs (2)'])
    for (const who of both) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
    return { atOnce: atOnce.shown[0], offline: offline.shown[0], undone: undone.shown[0] }
  },

  async figures (browser) {
    const { alice, bob } = await aliceAndBob(browser, base, 'Typing into one figure')
    const both = [alice, bob]
    const row = await addSurface(await addRoom(alice))
    await fillSurface(row, { area: 10, coats: 2, price: 3, product: 'Matt' })
    const surface = await row.getAttribute('data-surface')
    const area = who => who.page.locator(`tr.surface[data-surface="${surface}"] input.area`)
    const held = async who => (await seen(who.page)).rooms[0]?.surfaces[0]?.area
    await allHold('both pages have the wall', both, held, 10)
    // Alice types "12.5" and Bob "20" into the wall's area, their keystrokes taking turns: each reaches the other's
    // page while they type.
    const type = async (who, text) => {
      await area(who).focus()
      await who.page.keyboard.type(text, { delay: 40 })
    }
    await area(alice).focus()
    await area(alice).press('Control+A')
    await type(alice, '1')
    await allHold('both pages have 1', both, held, 1)
    await area(bob).focus()
    await area(bob).press('Control+A')
    await type(bob, '2')
    await allHold('both pages have 2', both, held, 2)
    await type(alice, '2.5')
    await allHold('both pages have 12.5', both, held, 12.5)
    await type(bob, '0')
    await allHold('both pages have 20', both, held, 20)
    const typing = [await area(alice).inputValue(), await area(bob).inputValue()]
    for (const who of both) await who.page.locator('#estimate-title').click() // out of the field
    const left = await waitUntil('both pages show the last number written, and its total', async () => {
      const shown = []
      for (const who of both) {
        const s = await seen(who.page)
        shown.push([await area(who).inputValue(), s.roomsShown && s.totalShown && s.grandText])
      }
      return { ok: shown.every(s => JSON.stringify(s) === JSON.stringify(['20', '€120.00'])), shown }
    })
    for (const who of both) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
    return { typing, left: left.shown[0] }
  },

  async missing (browser) {
    const dora = await signIn(browser, base, 'Dora')
    // Every WebSocket the page opens, as it opens it.
    await dora.context.addInitScript(() => {
      const Opened = window.WebSocket
      window.opened = []
      window.WebSocket = class extends Opened {
        constructor (url, protocols) {
          super(url, protocols)
          window.opened.push(String(url))
        }
      }
    })
    const shown = {}
    for (const id of ['zzzzzzzzzz', 'nope']) {
      await dora.page.goto(`${base}?${id}#/estimates/${id}`) // a new page (not only a new hash)
      await dora.page.waitForSelector('#estimate-error', { timeout: 15000 })
      shown[id] = await dora.page.locator('#estimate-error').textContent()
      check(shown[id].includes('No estimate'), `the page says there is no estimate ${id}: ${shown[id]}`)
      const opened = await dora.page.evaluate(() => window.opened)
      check(opened.length === 0, `the page opened no socket for ${id}: ${JSON.stringify(opened)}`)
    }
    // An address that is no page of Paintbox's (a path typed for the estimate's #/ address): a page that says so,
    // with the way back, not Spring Boot's "Whitelabel Error Page".
    const response = await dora.page.goto(`${base}estimates/zzzzzzzzzz`)
    check(response.status() === 404, 'no page there: ' + response.status())
    shown.path = await dora.page.locator('#not-found h1').textContent()
    await dora.page.click('#not-found a')
    await dora.page.waitForSelector('#new-title', { timeout: 15000 }) // the list, still signed in
    check(dora.errors.length === 0, 'Dora\'s page had errors: ' + dora.errors)
    return { shown }
  }
}

/** `who` clicks into the first room's name, presses `key` (Home, End) and types `text`. */
const typeIntoName = async (who, key, text, delay = 20) => {
  const field = who.page.locator('.room').first().locator('.room-name')
  await field.click()
  await who.page.keyboard.press(key)
  await who.page.keyboard.type(text, { delay })
}

SCENARIOS.twotabs = async browser => {
  // One browser profile: the tabs share its IndexedDB and BroadcastChannels. Each tab's socket can be cut alone.
  const profile = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' })
  const first = await signInTab(profile, base, 'Alice')
  const firstLine = await cuttable(first.page)
  const id = await createEstimate(first, 'One person, two tabs')
  await (await addRoom(first)).locator('.room-name').fill('Hall')
  const second = await signInTab(profile, base, 'Alice')
  const secondLine = await cuttable(second.page)
  await second.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
  await openEstimate(second, id)
  const carol = await signIn(browser, base, 'Carol')
  await carol.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
  await openEstimate(carol, id)
  const all = [first, second, carol]
  await allHold('every page has the hall', all, names, ['Hall'])

  // The first tab loses its socket and Alice renames the hall there; she goes on in the second tab, online.
  await firstLine.cut(first)
  await typeIntoName(first, 'End', ' and stairs')
  await typeIntoName(second, 'End', ' (2)')
  const online = await allHold('what the online tab typed reaches Carol', [second, carol], names, ['Hall (2)'])

  // Both tabs offline, each types; then back.
  await secondLine.cut(second)
  await typeIntoName(first, 'Home', 'Front ')
  await typeIntoName(second, 'End', '!')
  firstLine.restore()
  secondLine.restore()
  const converged = await waitUntil('every page ends with what both tabs typed', async () => {
    const shown = []
    for (const who of all) shown.push(await names(who))
    const name = shown[0][0]
    return {
      ok: shown.every(s => JSON.stringify(s) === JSON.stringify(shown[0])) && typeof name === 'string' &&
        ['Front Hall and stairs (2)!', 'Front Hall (2)! and stairs'].includes(name),
      shown
    }
  }, 20000)
  for (const who of all) check(who.errors.length === 0, `${who.name}'s tab had errors: ${who.errors}`)
  return { online: online.shown[1], converged: converged.shown[2] }
}

SCENARIOS.ime = async browser => {
  const { alice, bob } = await aliceAndBob(browser, base, 'Typed with an input method')
  await (await addRoom(alice)).locator('.room-name').fill('Kitchen')
  await allHold('both pages have the kitchen', [alice, bob], names, ['Kitchen'])
  // Every name Bob's document holds, after each change that reaches it.
  await bob.page.evaluate(() => {
    const rooms = window.paintbox.doc.getArray('rooms')
    window.namesHeld = []
    window.paintbox.doc.on('afterTransaction', () => window.namesHeld.push(String(rooms.get(0).get('name'))))
  })
  const nameInDocument = who => who.page.evaluate(() => String(window.paintbox.doc.getArray('rooms').get(0).get('name')))

  const ime = await alice.context.newCDPSession(alice.page)
  const name = alice.page.locator('.room').first().locator('.room-name')
  await name.click()
  await alice.page.keyboard.press('End')
  for (const text of ['だ', 'だい', 'だいど']) await ime.send('Input.imeSetComposition', { text, selectionStart: text.length, selectionEnd: text.length })
  // Bob types at the start of the name while she composes at its end: it reaches her document, not her field yet.
  await typeIntoName(bob, 'Home', 'Big ')
  await waitUntil('Bob\'s typing reached Alice\'s document', async () => {
    const held = await nameInDocument(alice)
    return { ok: held === 'Big Kitchen', held }
  })
  for (const text of ['だいどこ', 'だいどころ']) await ime.send('Input.imeSetComposition', { text, selectionStart: text.length, selectionEnd: text.length })
  check(await name.inputValue() === 'Kitchenだいどころ', 'Alice\'s field still holds her composition: ' + await name.inputValue())
  await ime.send('Input.insertText', { text: '台所' }) // she picks the kanji: the composition ends
  await alice.page.keyboard.type(' 2') // the caret must be after what she composed
  const composed = await allHold('both pages have what both typed', [alice, bob], names, ['Big Kitchen台所 2'])
  check(await name.inputValue() === 'Big Kitchen台所 2', 'Alice\'s field shows the name: ' + await name.inputValue())
  const held = await bob.page.evaluate(() => window.namesHeld)
  check(held.every(n => !/[\u3040-\u309f]/.test(n)), 'Bob\'s document never held half-composed text: ' + JSON.stringify(held))

  // Full-width digits from the input method, into an area.
  const area = (await addSurface(alice.page.locator('.room').first())).locator('input.area')
  await area.click()
  await alice.page.keyboard.press('Control+a')
  await ime.send('Input.imeSetComposition', { text: '１２', selectionStart: 2, selectionEnd: 2 })
  await ime.send('Input.insertText', { text: '１２．５' })
  const areas = await allHold('both documents have the area', [alice, bob],
    async who => (await seen(who.page)).rooms[0].surfaces.map(s => s.area), [12.5])
  for (const who of [alice, bob]) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
  return { composed: composed.shown[1], area: areas.shown[1][0] }
}

/** Alice and Bob on a new estimate called `title`, where Alice added a room called `name` with one surface. */
const aRoomOfAliceAndBob = async (browser, title, name) => {
  const { alice, bob } = await aliceAndBob(browser, base, title)
  const room = await addRoom(alice)
  await room.locator('.room-name').fill(name)
  await addSurface(room) // 10 m² × 2 coats × 3.00 = 60
  await allHold(`both pages have the ${name}`, [alice, bob], names, [name])
  return { alice, bob, both: [alice, bob], room }
}

SCENARIOS.restore = async browser => {
  const { alice, bob, both, room: hall } = await aRoomOfAliceAndBob(browser, 'Restored while typing', 'Hall')
  await alice.page.fill('#version-label', 'Hall only')
  await alice.page.click('#save-version')
  await alice.page.waitForSelector('#versions li .version-label:has-text("Hall only")')
  // After the version: the hall renamed, a kitchen added (Alice's own edits, in her undo history).
  await hall.locator('.room-name').fill('Lounge')
  await (await addRoom(alice)).locator('.room-name').fill('Kitchen')
  await allHold('both pages have the lounge and the kitchen', both, names, ['Lounge', 'Kitchen'])
  // Every set of names Bob's document holds, after each transaction.
  await bob.page.evaluate(() => {
    const rooms = window.paintbox.doc.getArray('rooms')
    window.namesHeld = []
    window.paintbox.doc.on('afterTransaction', () => window.namesHeld.push(rooms.toArray().map(r => String(r.get('name')))))
  })
  // Bob types on at the end of the lounge's name; Alice restores the version once his first characters reach her.
  const typing = typeIntoName(bob, 'End', ' with the stairs, upstairs and down', 50)
  await waitUntil('Bob\'s first characters reached Alice', async () => ({ ok: (await names(alice))[0].startsWith('Lounge w') }))
  await alice.page.click('#versions li .restore-version')
  await alice.page.waitForSelector('#restore-note')
  await typing
  await waitUntil('the restore reached Bob', async () => ({ ok: (await names(bob)).length === 1 }))
  await bob.page.keyboard.type(' (2)') // where his caret is now
  const restored = await waitUntil('both pages end with the version and Bob\'s typing after it', async () => {
    const shown = []
    for (const who of both) {
      const s = await seen(who.page)
      shown.push({ names: s.roomsShown && s.rooms.map(r => r.name), grand: s.totalShown && s.grandText })
    }
    const name = shown[0].names && shown[0].names[0]
    return {
      ok: JSON.stringify(shown[0]) === JSON.stringify(shown[1]) && shown[0].names.length === 1 &&
        typeof name === 'string' && name.startsWith('Hall') && name.endsWith(' (2)') && shown[0].grand === '€60.00',
      shown
    }
  }, 20000)
  const held = await bob.page.evaluate(() => window.namesHeld)
  const halfway = held.filter(n => !(n.length === 2 && n[0].startsWith('Lounge') && n[1] === 'Kitchen') &&
    !(n.length === 1 && n[0].startsWith('Hall') && !n[0].includes('Lounge')))
  check(halfway.length === 0, 'Bob\'s document never held a half-restored estimate: ' + JSON.stringify(halfway))

  // Alice's undo after the restore: the restore took back her rename and her kitchen; undoing the rename again
  // would bring the hall's old name back beside the one the restore put back ("HallHall"). Her history is gone.
  await waitUntil('the restore cleared Alice\'s undo', async () => ({ ok: await alice.page.isDisabled('#undo') }))
  await alice.page.locator('#estimate-title').click()
  await alice.page.keyboard.press('Control+z') // applied at once, in her page: her document shows it now
  const afterUndo = await allHold('both pages after Alice\'s undo', both, names, restored.shown[0].names)
  for (const who of both) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
  return { restored: restored.shown[1], held: held.length, afterUndo: afterUndo.shown[0] }
}

SCENARIOS.undo = async browser => {
  const { alice, bob, both } = await aRoomOfAliceAndBob(browser, 'Undone after the others', 'Kitchen')
  const field = who => who.page.locator('.room').first().locator('.room-name')
  const surface = (who, n) => who.page.locator('.room').first().locator('tr.surface').first().locator('input.' + n)
  const grand = async who => { const s = await seen(who.page); return s.totalShown && s.grandText }
  const state = async who => [await names(who), ...(await seen(who.page)).rooms[0].surfaces.map(s => [s.area, s.coats, s.price]), await grand(who)]

  // Alice types at the end of the name, Bob at its start; her undo takes back only hers, her caret stays after
  // what is left before it, and she types on there.
  await typeIntoName(alice, 'End', ' north')
  await typeIntoName(bob, 'Home', 'Big ')
  await allHold('both pages have what both typed', both, names, ['Big Kitchen north'])
  await field(alice).focus()
  await alice.page.keyboard.press('Control+z')
  await allHold('Alice\'s undo took back her typing only', both, names, ['Big Kitchen'])
  const caret = await field(alice).evaluate(e => [e.selectionStart, e.selectionEnd])
  await alice.page.keyboard.type('!')
  await allHold('Alice typed on where her caret was', both, names, ['Big Kitchen!'])

  // The totals follow an undo: Alice's area, then Bob's coats; her undo takes back her area, not his coats.
  await surface(alice, 'area').fill('20')
  await allHold('both have Alice\'s area', both, state, [['Big Kitchen!'], [20, 2, 3], '€120.00'])
  await surface(bob, 'coats').fill('3')
  await allHold('both have Bob\'s coats', both, state, [['Big Kitchen!'], [20, 3, 3], '€180.00'])
  await alice.page.keyboard.press('Control+z')
  const totals = await allHold('Alice\'s undo took back her area, and the total followed', both, state,
    [['Big Kitchen!'], [10, 3, 3], '€90.00'])
  check(await surface(alice, 'area').inputValue() === '10', 'Alice\'s area field shows the undone value')

  // Offline: Alice types and changes the price, Bob changes the coats; Alice undoes her price while offline.
  await alice.page.evaluate(() => window.paintbox.provider.disconnect())
  await typeIntoName(alice, 'End', ' (offline)')
  await alice.page.locator('#estimate-title').click() // out of the field: the price is an undo step of its own
  await surface(alice, 'price').fill('5')
  await surface(bob, 'coats').fill('2')
  await alice.page.keyboard.press('Control+z')
  await alice.page.evaluate(() => window.paintbox.provider.connect())
  const offline = await allHold('both pages merge what Alice kept offline with Bob\'s coats', both, state,
    [['Big Kitchen! (offline)'], [10, 2, 3], '€60.00'])
  await alice.page.keyboard.press('Control+z')
  const online = await allHold('Alice\'s next undo took back what she typed offline, not Bob\'s coats', both, state,
    [['Big Kitchen!'], [10, 2, 3], '€60.00'])
  await alice.page.keyboard.press('Control+Shift+z')
  await allHold('her redo brings it back', both, state, [['Big Kitchen! (offline)'], [10, 2, 3], '€60.00'])
  for (const who of both) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
  return { caret, totals: totals.shown[1], offline: offline.shown[1], online: online.shown[1] }
}

/** Checks for `millis` that every page's document holds `expected` (a function of what a page shows) all along. */
const allKeep = async (what, pages, read, expected, millis = 2000) => {
  const deadline = Date.now() + millis
  while (Date.now() < deadline) {
    for (const who of pages) {
      const shown = await read(who)
      check(shown === 'not drawn yet' || JSON.stringify(shown) === JSON.stringify(expected),
        `${what}: ${who.name}'s page has ${JSON.stringify(shown)}`)
    }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

SCENARIOS.builton = async browser => {
  const { alice, bob, both } = await aRoomOfAliceAndBob(browser, 'Undone while the others build on it', 'Hall')
  const state = async who => {
    const s = await seen(who.page)
    return s.roomsShown ? s.rooms.map(r => [r.name, ...r.surfaces.map(f => [f.area, f.product])]) : 'not drawn yet'
  }
  // Alice adds a second surface to the hall (a step of its own: "+ Surface" keeps the focus, and the undo manager
  // starts a new step when the focus moves into the rooms); Bob names its paint.
  await alice.page.locator('#estimate-title').click()
  const second = await (await addSurface(alice.page.locator('.room').first())).getAttribute('data-surface')
  const bobs = (who, n) => who.page.locator(`tr.surface[data-surface="${second}"] input.${n}`)
  await bobs(bob, 'product').fill('Bob\'s primer')
  // Alice adds a room and names it; Bob adds a surface to it and names its paint.
  const attic = await addRoom(alice)
  await attic.locator('.room-name').fill('Attic')
  await allHold('both pages have the attic', both, names, ['Hall', 'Attic'])
  const bobsAttic = bob.page.locator(`.room[data-room="${await attic.getAttribute('data-room')}"]`)
  await (await addSurface(bobsAttic)).locator('input.product').fill('Bob\'s white')
  // Alice changes the area of the surface whose paint Bob named.
  await bobs(alice, 'area').fill('20')
  await allHold('both pages have what both did', both, state,
    [['Hall', [10, ''], [20, 'Bob\'s primer']], ['Attic', [10, 'Bob\'s white']]])

  // Bob types on into that surface's paint; Alice undoes her area while his typing reaches her.
  const typing = (async () => {
    await bobs(bob, 'product').click()
    await bob.page.keyboard.press('End')
    await bob.page.keyboard.type(' and topcoat', { delay: 60 })
  })()
  await waitUntil('Bob\'s typing reaches Alice', async () => ({
    ok: (await bobs(alice, 'product').inputValue()).startsWith('Bob\'s primer a')
  }))
  await alice.page.locator('#estimate-title').click()
  await alice.page.keyboard.press('Control+z')
  await typing
  const whileTyping = await allHold('Alice\'s undo took back her area and kept all of Bob\'s typing', both, state,
    [['Hall', [10, ''], [10, 'Bob\'s primer and topcoat']], ['Attic', [10, 'Bob\'s white']]])
  await alice.page.keyboard.press('Control+z')
  await allHold('her next undo took back her name of the attic', both, state,
    [['Hall', [10, ''], [10, 'Bob\'s primer and topcoat']], ['Room 2', [10, 'Bob\'s white']]])
  // Undoing "+ Room" and "+ Surface" where Bob has worked since: the room and the surface stay, with his work.
  await alice.page.keyboard.press('Control+z')
  await allKeep('the attic stays, with Bob\'s surface', both, state,
    [['Hall', [10, ''], [10, 'Bob\'s primer and topcoat']], ['Room 2', [10, 'Bob\'s white']]])
  await alice.page.keyboard.press('Control+z')
  await allKeep('the second surface of the hall stays, with Bob\'s paint', both, state,
    [['Hall', [10, ''], [10, 'Bob\'s primer and topcoat']], ['Room 2', [10, 'Bob\'s white']]])
  // The step before them, one step: her first surface of the hall, which nobody else touched, goes.
  await alice.page.keyboard.press('Control+z')
  const kept = await allHold('her next undo took away her first surface of the hall', both, state,
    [['Hall', [10, 'Bob\'s primer and topcoat']], ['Room 2', [10, 'Bob\'s white']]])
  for (const who of both) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
  return { whileTyping: whileTyping.shown[0], kept: kept.shown[0] }
}

/** What has the keyboard focus in `who`'s page: its id or first class, and the room and surface it is in. */
const focused = who => who.page.evaluate(() => {
  const e = document.activeElement
  return {
    is: e.id || [...e.classList].find(c => c !== 'link' && c !== 'num') || e.tagName.toLowerCase(),
    room: e.closest('.room')?.querySelector('.room-name').value ?? null,
    surface: e.closest('tr.surface')?.dataset.surface ?? null
  }
})

/** Presses `key` (Tab, Shift+Tab) until the focus is on `is` (an id or class, see {@link focused}) in `room`. */
const tabTo = async (who, key, is, room) => {
  for (let presses = 0; presses < 40; presses++) {
    const at = await focused(who)
    if (at.is === is && (room === undefined || at.room === room)) return at
    await who.page.keyboard.press(key)
  }
  throw new Error(`check failed: ${who.name}'s ${key} never reached ${is}${room ? ' in ' + room : ''}`)
}

/** `who` replaces what the focused field holds with `text`, by keyboard. */
const retype = async (who, text) => {
  await who.page.keyboard.press('Control+a')
  await who.page.keyboard.type(text, { delay: 10 })
}

SCENARIOS.keyboard = async browser => {
  const alice = await signIn(browser, base, 'Alice')
  await tabTo(alice, 'Tab', 'new-title')
  await alice.page.keyboard.type('Keys only', { delay: 10 })
  await alice.page.keyboard.press('Enter')
  await alice.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 30000 })
  await alice.page.waitForSelector('#notes[contenteditable="true"]')
  const id = alice.page.url().split('/').pop()
  const bob = await signIn(browser, base, 'Bob')
  await bob.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
  await openEstimate(bob, id)
  const both = [alice, bob]
  const state = async who => {
    const s = await seen(who.page)
    return [s.roomsShown && s.rooms.map(r => [r.name, ...r.surfaces.map(f => [f.area, f.coats, f.price])]),
      s.totalShown && s.grandText]
  }

  // "+ Room" puts the focus into the new room's name; "+ Surface" keeps it, for the next one.
  await tabTo(alice, 'Tab', 'add-room')
  await alice.page.keyboard.press('Enter')
  await waitUntil('the new room\'s name has the focus', async () => ({ ok: (await focused(alice)).is === 'room-name' }))
  await retype(alice, 'Hall')
  await tabTo(alice, 'Tab', 'add-surface', 'Hall')
  await alice.page.keyboard.press('Enter')
  await alice.page.keyboard.press('Enter')
  check((await focused(alice)).is === 'add-surface', 'the focus stays on "+ Surface"')
  await allHold('both have two surfaces', both, state, [[['Hall', [10, 2, 3], [10, 2, 3]]], '€120.00'])
  await tabTo(alice, 'Shift+Tab', 'area', 'Hall') // the second surface's area
  await retype(alice, '20')
  await alice.page.keyboard.press('Tab') // coats
  await alice.page.keyboard.press('Tab') // paint
  await alice.page.keyboard.press('Tab') // price
  await retype(alice, '4.5')
  await allHold('both have the second surface as typed', both, state,
    [[['Hall', [10, 2, 3], [20, 2, 4.5]]], '€240.00'])

  // ✕ on the last surface: the focus goes to the ✕ of the one before, not back to the page's start.
  const second = (await focused(alice)).surface
  await alice.page.keyboard.press('Tab')
  check((await focused(alice)).is === 'remove-surface', 'Tab from the price reaches the surface\'s ✕')
  await alice.page.keyboard.press('Enter')
  await allHold('both lost the second surface', both, state, [[['Hall', [10, 2, 3]]], '€60.00'])
  const afterSurface = await focused(alice)
  check(afterSurface.is === 'remove-surface' && afterSurface.surface !== second && afterSurface.room === 'Hall',
    'the focus is on the first surface\'s ✕: ' + JSON.stringify(afterSurface))

  // A second room; "Remove room" on the first: the focus goes to the next room's.
  await tabTo(alice, 'Tab', 'add-room')
  await alice.page.keyboard.press('Enter')
  await waitUntil('the second room\'s name has the focus', async () => ({ ok: (await focused(alice)).is === 'room-name' }))
  await retype(alice, 'Attic')
  await tabTo(alice, 'Shift+Tab', 'remove-room', 'Hall')
  await alice.page.keyboard.press('Enter')
  await allHold('both lost the hall', both, state, [[['Attic']], '€0.00'])
  const afterRoom = await focused(alice)
  check(afterRoom.is === 'remove-room' && afterRoom.room === 'Attic', 'the focus is on the attic\'s "Remove room": ' +
    JSON.stringify(afterRoom))
  await alice.page.keyboard.press('Control+z')
  const undone = await allHold('Alice\'s undo brought the hall back', both, state,
    [[['Hall', [10, 2, 3]], ['Attic']], '€60.00'])

  // "Delete" asks, with the focus on "Cancel"; Escape cancels and gives the focus back; then it deletes.
  await tabTo(alice, 'Shift+Tab', 'delete-estimate')
  await alice.page.keyboard.press('Enter')
  check((await focused(alice)).is === 'delete-no', 'the question has the focus on "Cancel"')
  await alice.page.keyboard.press('Escape')
  check(await alice.page.locator('#delete-confirm').count() === 0, 'Escape took the question away')
  check((await focused(alice)).is === 'delete-estimate', 'the focus is back on "Delete"')
  await alice.page.keyboard.press('Enter')
  await alice.page.keyboard.press('Shift+Tab')
  check((await focused(alice)).is === 'delete-yes', 'Shift+Tab from "Cancel" reaches "Delete"')
  await alice.page.keyboard.press('Enter')
  await alice.page.waitForURL(/#\/$/)
  await bob.page.waitForSelector('#estimate-gone', { timeout: 15000 })
  for (const who of both) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
  return { undone: undone.shown[1] }
}

await runScenarios(SCENARIOS, scenarios)
