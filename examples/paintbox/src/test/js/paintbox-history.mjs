// Undo/redo and versions in Paintbox, with two people in two real browsers (Debian's Chromium, headless, driven by
// playwright-core). Prints one JSON line with what the pages showed; exits non-zero on a failed check.
//
//   node paintbox-history.mjs <base url> <shots>
//     Alice and Bob edit one estimate. Alice's undo (Ctrl+Z) takes back only her rename, on both pages, not Bob's
//     later change; redo (Ctrl+Shift+Z, the button) brings it back; Bob's undo takes back only his. Alice saves a
//     version, both edit more, Bob saves another; Alice views the first read-only (with its total), compares the
//     two (what changed, who edited), and restores the first: both pages show it, the versions are all still there
//     (the restore is a new edit), and "Undo restore" brings the later content back on both pages.
import { mkdirSync } from 'node:fs'
import { addRoom, addSurface, check, launch, openEstimate, seen, signIn, waitUntil } from './paintbox-pages.mjs'

const [base, shots] = process.argv.slice(2)
if (!base || !shots) {
  console.error('usage: node paintbox-history.mjs <base url> <shots>')
  process.exit(2)
}
mkdirSync(shots, { recursive: true })

const browser = await launch()

/** Rooms as names and surfaces' [area, coats, price], as a page's document holds them. */
const rooms = async who => (await seen(who.page)).rooms
  .map(r => `${r.name}: ${(r.surfaces || []).map(s => [s.area, s.coats, s.price].join('×')).join(', ')}`)

/** Waits until both pages hold exactly these rooms and show this total (computed by the server). */
const bothShow = async (what, pages, expectedRooms, grandText) => waitUntil(what, async () => {
  const shown = []
  for (const who of pages) {
    const s = await seen(who.page)
    shown.push({ name: who.name, rooms: await rooms(who), grand: s.grandText, drawn: s.roomsShown })
  }
  const ok = shown.every(s => JSON.stringify(s.rooms) === JSON.stringify(expectedRooms) && s.drawn &&
    (grandText === undefined || s.grand === grandText))
  return { ok, shown }
}, 20000)

const versionIds = async who => who.page.$$eval('#versions li', lis => lis.map(li => ({
  id: li.dataset.version, label: li.querySelector('.version-label').textContent
})))

try {
  const alice = await signIn(browser, base, 'Alice')
  await alice.page.fill('#new-title', 'House on the hill')
  await alice.page.click('#create-estimate')
  await alice.page.waitForURL(/#\/estimates\/[a-z0-9]+$/)
  const id = alice.page.url().split('/').pop()
  await alice.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 15000 })
  const bob = await signIn(browser, base, 'Bob')
  await bob.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
  await openEstimate(bob, id)
  const both = [alice, bob]
  check(await alice.page.isDisabled('#undo') && await alice.page.isDisabled('#redo'), 'nothing to undo at first')

  // Alice's room, then Bob's; each room gets one surface: 10 m² × 2 coats × 3.00 = 60.
  const livingRoom = await addRoom(alice)
  await livingRoom.locator('.room-name').fill('Living room')
  await addSurface(livingRoom)
  await bothShow('Alice\'s room is on both pages', both, ['Living room: 10×2×3'])
  const kitchen = await addRoom(bob)
  await kitchen.locator('.room-name').fill('Kitchen')
  await addSurface(kitchen)
  await bothShow('Bob\'s room is on both pages', both, ['Living room: 10×2×3', 'Kitchen: 10×2×3'], '€120.00')

  // Alice renames her room, then Bob changes his surface. Alice's undo takes back her rename only.
  await livingRoom.locator('.room-name').fill('Lounge')
  await bothShow('the rename is on both pages', both, ['Lounge: 10×2×3', 'Kitchen: 10×2×3'])
  await kitchen.locator('input.area').fill('8')
  await bothShow('Bob\'s change is on both pages', both, ['Lounge: 10×2×3', 'Kitchen: 8×2×3'], '€108.00')
  await alice.page.keyboard.press('Control+z')
  const afterUndo = await bothShow('Alice\'s undo reverts her rename on both pages, and only that', both,
    ['Living room: 10×2×3', 'Kitchen: 8×2×3'], '€108.00')
  await alice.page.screenshot({ path: `${shots}/paintbox-undo-alice.png` })
  await alice.page.keyboard.press('Control+Shift+z')
  await bothShow('Alice\'s redo brings the rename back', both, ['Lounge: 10×2×3', 'Kitchen: 8×2×3'])
  await alice.page.click('#undo')
  await bothShow('the Undo button undoes it again', both, ['Living room: 10×2×3', 'Kitchen: 8×2×3'])
  await alice.page.click('#redo')
  await bothShow('the Redo button redoes it', both, ['Lounge: 10×2×3', 'Kitchen: 8×2×3'])
  // Bob's undo takes back his area, not Alice's rename (which came after his room).
  await bob.page.click('#undo')
  await bothShow('Bob\'s undo reverts only his change', both, ['Lounge: 10×2×3', 'Kitchen: 10×2×3'], '€120.00')

  // A version as sent to the customer.
  await alice.page.fill('#version-label', 'As sent to the customer')
  await alice.page.click('#save-version')
  await alice.page.waitForSelector('#versions li .version-label:has-text("As sent to the customer")')
  await bob.page.waitForSelector('#versions li .version-label:has-text("As sent to the customer")',
    { timeout: 20000 }) // the others' lists refresh every few seconds

  // Both edit more: Bob adds the hall, Alice raises her price; Bob saves another version.
  const hall = await addRoom(bob)
  await hall.locator('.room-name').fill('Hall')
  await addSurface(hall)
  await livingRoom.locator('input.price').fill('5')
  const later = ['Lounge: 10×2×5', 'Kitchen: 10×2×3', 'Hall: 10×2×3']
  await bothShow('the later edits are on both pages', both, later, '€220.00')
  await bob.page.fill('#version-label', 'Hall added')
  await bob.page.click('#save-version')
  await bob.page.waitForSelector('#versions li .version-label:has-text("Hall added")')
  const saved = await waitUntil('Alice\'s list has both versions', async () => {
    const list = await versionIds(alice)
    return { ok: list.length === 2, list }
  }, 20000)
  const [v2, v1] = saved.list // newest first
  check(v1.label === 'As sent to the customer' && v2.label === 'Hall added', 'the list: ' + JSON.stringify(saved.list))

  // The first version, read-only, with its total.
  await alice.page.click(`#versions li[data-version="${v1.id}"] .view-version`)
  await alice.page.waitForSelector('#version-view')
  const view = await alice.page.evaluate(() => ({
    grand: document.getElementById('version-grand').textContent,
    rooms: [...document.querySelectorAll('#version-view .version-room .room-name')].map(e => e.textContent),
    inputs: document.querySelectorAll('#version-view input').length
  }))
  check(view.grand === '€120.00', 'the version\'s total: ' + view.grand)
  check(JSON.stringify(view.rooms) === '["Lounge","Kitchen"]', 'the version\'s rooms: ' + JSON.stringify(view.rooms))
  check(view.inputs === 0, 'the version is read-only')
  await alice.page.screenshot({ path: `${shots}/paintbox-version-view.png` })

  // The two compared (the two newest by default): what changed and who edited.
  await alice.page.click('#compare')
  await alice.page.waitForSelector('#comparison')
  const comparison = await alice.page.evaluate(() => ({
    editors: document.getElementById('editors').textContent,
    changes: [...document.querySelectorAll('#changes li')].map(li => li.textContent)
  }))
  check(comparison.changes.includes('Added room “Hall” with 1 surface(s)') &&
    comparison.changes.includes('Lounge, Wall: price 3 → 5') && comparison.changes.length === 2,
  'the changes: ' + JSON.stringify(comparison.changes))
  check(comparison.editors.includes('Edited by Alice, Bob') && comparison.editors.includes('€120.00 → €220.00'),
    'who edited, and the totals: ' + comparison.editors)
  await alice.page.screenshot({ path: `${shots}/paintbox-compare.png` })

  // Restore the first version: both pages show it, as a new edit; nothing is lost from the list.
  await alice.page.click(`#versions li[data-version="${v1.id}"] .restore-version`)
  await alice.page.waitForSelector('#restore-note')
  await bothShow('both pages show the restored version', both, ['Lounge: 10×2×3', 'Kitchen: 10×2×3'], '€120.00')
  const afterRestore = await waitUntil('the list keeps every version and adds the one saved before', async () => {
    const list = await versionIds(alice)
    return { ok: list.length === 3 && list[0].label === 'Before restoring “As sent to the customer”', list }
  })
  await alice.page.screenshot({ path: `${shots}/paintbox-restored.png` })
  await bob.page.screenshot({ path: `${shots}/paintbox-restored-bob.png` })

  // The restore is a forward edit: undoing it (restoring what was there before) brings the later content back.
  await alice.page.click('#undo-restore')
  await bothShow('undoing the restore brings the later content back on both pages', both, later, '€220.00')
  const finalList = await versionIds(alice)
  check(finalList.length === 3, 'undoing the restore saves no further version: ' + JSON.stringify(finalList))
  for (const who of both) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
  console.log(JSON.stringify({
    id,
    afterUndo: afterUndo.shown,
    versions: afterRestore.list.map(v => v.label),
    view,
    comparison,
    final: await rooms(alice)
  }))
} finally {
  await browser.close()
}
