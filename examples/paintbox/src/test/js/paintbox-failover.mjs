// Paintbox as two instances of a cluster, a browser on each, and one instance killed (Debian's Chromium, headless,
// driven by playwright-core). Prints one JSON line with what the pages showed; exits non-zero on a failed check.
//
//   node paintbox-failover.mjs <dying base url> <surviving base url> <shots> <estimate id> <grand> <pid>
//     Alice's page comes from the instance that dies (pid), Bob's from the other; both open the estimate and wait
//     until they show its total <grand>. The dying instance is killed with SIGKILL. Alice adds a room meanwhile; her
//     page must connect to the other instance by itself (paintbox.collab-fallback-urls) and send it, Bob adds one
//     too, and both pages must end with the same rooms and the total the surviving instance computes (each new room
//     10 m² × 2 coats × 3.00 = 60).
import { mkdirSync } from 'node:fs'
import { addRoom, addSurface, check, launch, openEstimate, reportPages, seen, signIn, waitUntil } from './paintbox-pages.mjs'

const [dying, surviving, shots, id, grandBefore, pid] = process.argv.slice(2)
if (!pid) {
  console.error('usage: node paintbox-failover.mjs <dying base url> <surviving base url> <shots> <estimate id> <grand> <pid>')
  process.exit(2)
}
mkdirSync(shots, { recursive: true })

const money = n => new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(n)
/** The room names and the total a page shows, once it shows its document's (null until then). */
const shown = async who => {
  const s = await seen(who.page)
  return s.roomsShown && s.totalShown ? { rooms: s.rooms.map(r => r.name), grand: s.grandText } : null
}
const bothShow = (what, pages, ok) => waitUntil(what, async () => {
  const all = []
  for (const who of pages) all.push(await shown(who))
  return { ok: all.every(s => s && JSON.stringify(s) === JSON.stringify(all[0])) && ok(all[0]), all }
}, 60000)
const addNamedRoom = async (who, name) => {
  const room = await addRoom(who)
  await room.locator('.room-name').fill(name)
  await addSurface(room)
}

const browser = await launch()
const people = [] // their pages are reported when a check fails
try {
  const alice = await signIn(browser, dying, 'Alice')
  people.push(alice)
  await alice.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
  await openEstimate(alice, id)
  const bob = await signIn(browser, surviving, 'Bob')
  people.push(bob)
  await bob.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
  await openEstimate(bob, id)
  const both = [alice, bob]
  const before = await bothShow('both pages show the estimate and its total', both,
    s => s.grand === money(Number(grandBefore)))
  const socketOf = who => who.page.evaluate(() => window.paintbox.provider.url.split('/estimate-')[0])
  const first = await socketOf(alice)

  process.kill(Number(pid), 'SIGKILL')
  await waitUntil('Alice\'s page knows its instance is gone', async () => ({
    ok: await alice.page.locator('.estimate').getAttribute('data-status') !== 'synced'
  }))
  await addNamedRoom(alice, 'Added while her instance was gone')
  await alice.page.waitForSelector('.estimate[data-status="synced"]', { timeout: 30000 })
  const then = await socketOf(alice)
  check(then !== first && then === await socketOf(bob), `Alice's page moved to Bob's instance: ${first} -> ${then}`)
  await addNamedRoom(bob, 'Added by Bob after the kill')
  const rooms = [...before.all[0].rooms, 'Added while her instance was gone', 'Added by Bob after the kill']
  const after = await bothShow('both pages have both new rooms and the survivor\'s total', both, s =>
    JSON.stringify([...s.rooms].sort()) === JSON.stringify([...rooms].sort()) && s.grand === money(Number(grandBefore) + 120))
  await alice.page.screenshot({ path: `${shots}/paintbox-failover-alice.png` })
  for (const who of both) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
  console.log(JSON.stringify({ scenario: 'failover', ok: true, from: first, to: then, rooms: after.all[0].rooms.length, grand: after.all[0].grand }))
} catch (e) {
  await reportPages(people, shots)
  console.log(JSON.stringify({ scenario: 'failover', ok: false, error: String(e.stack || e) }))
} finally {
  await browser.close()
}
