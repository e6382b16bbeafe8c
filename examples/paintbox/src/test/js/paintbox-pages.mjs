// What the browser tests do with Paintbox's pages: launch Debian's Chromium (headless, driven by playwright-core),
// sign in, open an estimate, read what a page shows, fill a surface, cut a page's socket, wait for a condition.
import { chromium } from 'playwright-core'

export const check = (ok, what) => {
  if (!ok) throw new Error('check failed: ' + what)
}

export const launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync']
})

/** A new browser context signed in as `name`; `loginShot`: where to screenshot the login form, if anywhere. */
export const signIn = async (browser, base, name, loginShot) =>
  signInTab(await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' }), base, name, loginShot)

/**
 * A new tab of `context` (one browser profile: its IndexedDB and BroadcastChannels are the context's) signed in as
 * `name` (the page keeps who signed in per tab).
 */
export const signInTab = async (context, base, name, loginShot) => {
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', e => { errors.push(e.message); console.error(`[${name} page error] ${e.message}`) })
  const sockets = []
  page.on('websocket', ws => sockets.push(ws.url()))
  const warnings = [] // the page's console warnings and errors, the last 20 (for a failed run's log)
  page.on('console', m => {
    if (m.type() !== 'warning' && m.type() !== 'error') return
    warnings.push(m.text().slice(0, 300))
    if (warnings.length > 20) warnings.shift()
  })
  await page.goto(base)
  await page.waitForSelector('#login-name')
  if (loginShot) await page.screenshot({ path: loginShot })
  await page.fill('#login-name', name)
  await page.click('#login-submit')
  await page.waitForSelector('#new-title')
  return { context, page, name, sockets, errors, warnings }
}

/**
 * Where `who`'s page is, for a failed run's log: its address, what it shows, the rooms in its document and those it
 * drew, whether its socket is open, its errors, warnings and sockets.
 */
export const describePage = async who => ({
  name: who.name,
  url: who.page.url(),
  ...(await who.page.evaluate(() => ({
    status: document.querySelector('.estimate')?.dataset.status ?? null,
    connected: window.paintbox ? window.paintbox.provider.wsconnected : null,
    documentRooms: window.paintbox ? window.paintbox.doc.getArray('rooms').toJSON().map(r => r.name) : null,
    drawnRooms: [...document.querySelectorAll('.rooms > .room .room-name')].map(input => input.value),
    shown: (document.querySelector('main')?.innerText || '').slice(0, 300)
  })).catch(e => ({ unreadable: String(e) }))),
  errors: who.errors,
  warnings: who.warnings,
  sockets: who.sockets
})

/** Logs (stderr) and screenshots (`<shots>/failed-<name>.png`) where each of `people`'s pages is. */
export const reportPages = async (people, shots) => {
  for (const who of people) {
    await who.page.screenshot({ path: `${shots}/failed-${who.name}.png` }).catch(() => {})
    console.error(`[${who.name}'s page at the failure] ${JSON.stringify(await describePage(who))}`)
  }
}

/** `who` creates an estimate called `title` and waits until its page is synced and the notes editable; its id. */
export const createEstimate = async (who, title) => {
  await who.page.fill('#new-title', title)
  await who.page.click('#create-estimate')
  await who.page.waitForURL(/#\/estimates\/[a-z0-9]+$/)
  await who.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 30000 })
  await who.page.waitForSelector('#notes[contenteditable="true"]')
  return who.page.url().split('/').pop()
}

/** Alice creates an estimate called `title`; Bob (or `second`) finds it in his list and opens it. */
export const aliceAndBob = async (browser, base, title, second = 'Bob') => {
  const alice = await signIn(browser, base, 'Alice')
  const id = await createEstimate(alice, title)
  const bob = await signIn(browser, base, second)
  await bob.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
  await openEstimate(bob, id)
  return { alice, bob, id }
}

export const openEstimate = async (who, id) => {
  await who.page.click(`#estimates li[data-id="${id}"] a`)
  await who.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 15000 })
  await who.page.waitForSelector('#notes[contenteditable="true"]')
}

/**
 * Puts the caret at the start (Control+Home) or the end (Control+End) of the notes and waits until it is there and
 * stays there: when someone else's edit to the same paragraph arrives just as the key is pressed, Lexical's
 * collaboration sync can put back the caret it had before (seen once in ~10 runs: Alice's "start" typing then went
 * to the end, interleaved with Bob's).
 */
export const caretInNotes = async (page, where) => {
  const key = where === 'start' ? 'Control+Home' : 'Control+End'
  const there = () => page.evaluate(where => {
    const notes = document.querySelector('#notes')
    const selection = window.getSelection()
    if (!selection.rangeCount || !selection.isCollapsed || !notes.contains(selection.anchorNode)) return false
    const around = document.createRange()
    around.selectNodeContents(notes)
    if (where === 'start') around.setEnd(selection.anchorNode, selection.anchorOffset)
    else around.setStart(selection.anchorNode, selection.anchorOffset)
    return around.toString().length === 0
  }, where)
  const deadline = Date.now() + 15000
  let stable = 0
  while (stable < 3) {
    if (Date.now() > deadline) throw new Error(`check failed: the caret stays at the ${where} of the notes`)
    if (await there()) {
      stable++
    } else {
      stable = 0
      await page.keyboard.press(key)
    }
    await page.waitForTimeout(50)
  }
}

/** `who` types `text` at the end of the notes. */
export const typeInNotes = async (who, text) => {
  await who.page.locator('#notes').click()
  await who.page.keyboard.press('Control+End')
  await caretInNotes(who.page, 'end')
  await who.page.keyboard.type(text, { delay: 10 })
}

/**
 * What a page shows: the rooms (from its document), notes, totals. React renders a change to the document a moment
 * later, so `totalShown` says whether the total on the page is already the document's, and `roomsShown` whether the
 * rooms and surfaces drawn (names, kinds, numbers, paints) are the document's: wait for them before reading
 * `grandText` or trusting the fields.
 */
export const seen = page => page.evaluate(() => {
  const totals = window.paintbox.doc.getMap('totals').get('estimate') || {}
  const rooms = window.paintbox.doc.getArray('rooms').toJSON()
  const grandText = document.getElementById('grand-total').textContent
  const NUMBERS = ['area', 'coats', 'price']
  const drawn = [...document.querySelectorAll('.rooms > .room')].map(room => [room.querySelector('.room-name').value,
    ...[...room.querySelectorAll('tr.surface')].map(row => [row.querySelector('select.kind').value,
      ...NUMBERS.map(n => row.querySelector('input.' + n).value.trim()).map(v => v === '' ? '' : String(Number(v))),
      row.querySelector('input.product').value])])
  const held = rooms.map(room => [room.name || '', ...(room.surfaces || []).map(s => [s.kind || 'Wall',
    ...NUMBERS.map(n => typeof s[n] === 'number' ? String(s[n]) : ''), s.product || ''])])
  return {
    rooms,
    roomsShown: JSON.stringify(drawn) === JSON.stringify(held),
    totals,
    grandText,
    totalShown: typeof totals.grand === 'number' &&
      grandText === new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(totals.grand),
    notes: document.getElementById('notes').innerText.replace(/\s+/g, ' ').trim(),
    people: [...document.querySelectorAll('#people .person')].map(p => p.textContent)
  }
})

export const fillSurface = async (row, { kind, area, coats, price, product }) => {
  if (kind) await row.locator('select.kind').selectOption(kind)
  await row.locator('input.area').fill(String(area))
  await row.locator('input.coats').fill(String(coats))
  await row.locator('input.price').fill(String(price))
  await row.locator('input.product').fill(product)
  await row.locator('input.product').blur()
}

/**
 * Clicks `button`, whose click adds one item to the page's document, until the document holds it, and returns the new
 * item's id: `ownIds`, run in the page with `arg`, lists the ids of the items of that kind that this page added
 * itself (an item someone else added meanwhile is not this click's). Someone else's edit drawn between the mouse's
 * down and up can move the button (a room above it grows by a surface row, ~40 px, and "+ Room" is 36 px high); the
 * browser then gives the click to what both ends share, nothing is added, and playwright, which checks only where the
 * mouse went down, says it clicked. A person would click again: so does this, at most three times. Looked up in the
 * document, not on the screen, since the click's handler edits the document at once and React draws it later.
 */
export const clickToAdd = async (button, ownIds, arg) => {
  const page = button.page()
  const ids = () => page.evaluate(ownIds, arg)
  const before = new Set(await ids())
  for (let attempt = 1; attempt <= 3; attempt++) {
    await button.click()
    const deadline = Date.now() + 2000
    while (Date.now() < deadline) {
      const added = (await ids()).filter(id => !before.has(id))
      if (added.length > 0) return added[0]
      await page.waitForTimeout(100)
    }
  }
  throw new Error('check failed: three clicks on ' + button + ' added nothing')
}

/** The ids of the rooms this page added (its document's client), in its document; for {@link clickToAdd}. */
const ownRooms = () => {
  const { doc } = window.paintbox
  return doc.getArray('rooms').toArray().filter(room => room._item.id.client === doc.clientID).map(room => room.get('id'))
}

/** The ids of the surfaces this page added to the room with id `roomId`; for {@link clickToAdd}. */
const ownSurfaces = roomId => {
  const { doc } = window.paintbox
  return doc.getArray('rooms').toArray().find(room => room.get('id') === roomId).get('surfaces').toArray()
    .filter(surface => surface._item.id.client === doc.clientID).map(surface => surface.get('id'))
}

/**
 * `who` adds a room with "+ Room", clicking again if a relayed edit moved the button (see {@link clickToAdd}); the new
 * room's card, wherever the others' rooms put it.
 */
export const addRoom = async who =>
  who.page.locator(`.room[data-room="${await clickToAdd(who.page.locator('#add-room'), ownRooms)}"]`)

/** Adds a surface to `room` (a room's card) with its "+ Surface", as {@link addRoom} does; the new surface's row. */
export const addSurface = async room => {
  const id = await clickToAdd(room.locator('.add-surface'), ownSurfaces, await room.getAttribute('data-room'))
  return room.locator(`tr.surface[data-surface="${id}"]`)
}

export const waitUntil = async (what, condition, millis = 15000) => {
  const deadline = Date.now() + millis
  let last
  while (Date.now() < deadline) {
    last = await condition()
    if (last.ok) return last
    await new Promise(r => setTimeout(r, 150))
  }
  throw new Error('timed out waiting until ' + what + ': ' + JSON.stringify(last))
}

/**
 * Routes the estimate sockets of `target` (a page, or a context: all its pages) through the test, which can cut them
 * (Chromium's offline mode lets an open socket's frames through): `cut(who)` closes the open ones, refuses new ones
 * until `restore()`, and waits until `who`'s page knows.
 */
export const cuttable = async target => {
  let cut = false
  const sockets = []
  await target.routeWebSocket(/\/estimate-/, ws => {
    if (cut) return ws.close()
    sockets.push({ page: ws, server: ws.connectToServer() })
  })
  return {
    async cut (who) {
      cut = true
      for (const socket of sockets.splice(0)) {
        await socket.server.close()
        await socket.page.close()
      }
      await waitUntil(`${who.name}'s page knows it is offline`, async () => ({
        ok: await who.page.locator('.estimate').getAttribute('data-status') !== 'synced'
      }))
    },
    restore () { cut = false }
  }
}

/**
 * Runs the scenarios named `names` of `scenarios` (name: async browser => what the pages showed) in one Chromium, each
 * in browser contexts of its own, and prints a JSON line for each: {"scenario": ..., "ok": ..., "error": ..., ...}.
 */
export const runScenarios = async (scenarios, names) => {
  const browser = await launch()
  try {
    for (const scenario of names) {
      const run = scenarios[scenario]
      if (!run) {
        console.log(JSON.stringify({ scenario, ok: false, error: 'no such scenario' }))
        continue
      }
      const started = Date.now()
      try {
        const shown = await run(browser)
        console.log(JSON.stringify({ scenario, ok: true, millis: Date.now() - started, ...shown }))
      } catch (e) {
        console.log(JSON.stringify({ scenario, ok: false, millis: Date.now() - started, error: String(e.stack || e) }))
      } finally {
        for (const context of browser.contexts()) await context.close()
      }
    }
  } finally {
    await browser.close()
  }
}
