// Renaming an estimate from its page, in one real browser (Debian's Chromium, headless, driven by playwright-core).
// Prints one JSON line per scenario, {"scenario": ..., "ok": true|false, "error": ..., ...what the pages showed}, and
// exits 0 unless the browser could not be used at all: the test reads each line.
//
//   node paintbox-rename.mjs <base url> <shots> <scenario>...
//   (PAINTBOX_OTHER_BASE: Bob's and Carol's pages come from there, another instance of a cluster; else from <base url>)
//     rename  Alice has an estimate open in two tabs, Bob has it open, Carol is on the estimate list. Alice tries to
//             rename it to nothing but spaces, to 121 characters and to a name with a tab: each time her page must say
//             why and keep the field, and nothing changes anywhere. "Cancel" (Escape) leaves the old name. Then she
//             renames it: her tabs, Bob's page (without a reload) and Carol's list must show the new name.
//     race    Alice and Bob rename the estimate at the same moment, three times: each time their pages, Carol's list
//             and the server must end with one and the same name, one of the two.
import { mkdirSync } from 'node:fs'
import { check, createEstimate, openEstimate, runScenarios, signIn, signInTab, waitUntil } from './paintbox-pages.mjs'

const [base, shots, ...scenarios] = process.argv.slice(2)
if (!base || !shots || scenarios.length === 0) {
  console.error('usage: node paintbox-rename.mjs <base url> <shots> rename|race...')
  process.exit(2)
}
const other = process.env.PAINTBOX_OTHER_BASE || base
mkdirSync(shots, { recursive: true })

/** The title `who`'s estimate page shows (null while it shows none: renaming, loading). */
const shownTitle = who => who.page.evaluate(() => document.getElementById('estimate-title')?.textContent ?? null)

/** The title of estimate `id` in `who`'s list. */
const listed = (who, id) => who.page.evaluate(id =>
  document.querySelector(`#estimates li[data-id="${id}"] a`)?.textContent ?? null, id)

/** The title of estimate `id` as the server has it, asked with `who`'s token. */
const serverTitle = (who, id) => who.page.evaluate(async id => {
  const { token } = JSON.parse(sessionStorage.getItem('paintbox.user'))
  return (await (await fetch('/api/estimates/' + id, { headers: { Authorization: 'Bearer ' + token } })).json()).title
}, id)

/** Opens "Rename" on `who`'s page (if it is not open) and submits `title` with Enter. */
const rename = async (who, title) => {
  if (await who.page.locator('#rename-title').count() === 0) await who.page.click('#rename-estimate')
  await who.page.fill('#rename-title', title)
  await who.page.press('#rename-title', 'Enter')
}

/** What every page and the server show of estimate `id`'s title, once they all show the same. */
const oneTitleEverywhere = (what, pages, list, id, ok = () => true) => waitUntil(what, async () => {
  const shown = [await serverTitle(pages[0], id)]
  for (const who of pages) shown.push(await shownTitle(who))
  shown.push(await listed(list, id))
  return { ok: shown.every(t => t === shown[0]) && ok(shown[0]), shown }
}, 20000)

const SCENARIOS = {
  async rename (browser) {
    const alice = await signIn(browser, base, 'Alice')
    const id = await createEstimate(alice, 'Flat')
    const aliceAgain = await signInTab(alice.context, base, 'Alice') // her second tab
    await aliceAgain.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
    await openEstimate(aliceAgain, id)
    const bob = await signIn(browser, other, 'Bob')
    await bob.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
    await openEstimate(bob, id)
    const carol = await signIn(browser, other, 'Carol') // stays on the list
    await carol.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
    const pages = [alice, aliceAgain, bob]

    const refused = {}
    for (const [why, title, says] of [['blank', '   ', 'needs a title'], ['long', 'x'.repeat(121), 'at most 120'],
      ['control', 'Flat\tEast', 'control characters']]) {
      await rename(alice, title)
      refused[why] = (await waitUntil(`Alice's page says why "${why}" is refused`, async () => {
        const text = await alice.page.evaluate(() => document.getElementById('rename-error')?.textContent ?? null)
        return { ok: text !== null && text.includes(says), text }
      })).text
      check(await alice.page.inputValue('#rename-title') === title, `the field keeps what Alice typed (${why})`)
    }
    await alice.page.keyboard.press('Escape')
    await alice.page.waitForSelector('#estimate-title')
    await alice.page.click('#rename-estimate')
    await alice.page.fill('#rename-title', 'Not this one')
    await alice.page.click('#rename-cancel')
    const unchanged = await oneTitleEverywhere('nothing was renamed', pages, carol, id)
    check(unchanged.shown[0] === 'Flat', 'the title is still "Flat": ' + unchanged.shown)

    const title = 'Flat in Elm Street, 2nd floor ✓'
    await bob.page.evaluate(() => { window.beforeTheRename = true }) // gone if his page reloaded
    await rename(alice, '  ' + title + ' ')
    const renamed = await oneTitleEverywhere('every page and the list show the new title', pages, carol, id,
      t => t === title)
    check(await alice.page.title() === title + ' – Paintbox', 'the tab is called so: ' + await alice.page.title())
    check(await bob.page.evaluate(() => window.beforeTheRename === true), 'Bob\'s page showed it without a reload')
    await bob.page.screenshot({ path: `${shots}/renamed-bob.png` })
    for (const who of [...pages, carol]) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
    return { id, refused, unchanged: unchanged.shown[0], renamed: renamed.shown }
  },

  async race (browser) {
    const alice = await signIn(browser, base, 'Alice')
    const id = await createEstimate(alice, 'Race')
    const bob = await signIn(browser, other, 'Bob')
    await bob.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
    await openEstimate(bob, id)
    const carol = await signIn(browser, base, 'Carol')
    await carol.page.waitForSelector(`#estimates li[data-id="${id}"]`, { timeout: 15000 })
    const rounds = []
    for (let round = 1; round <= 3; round++) {
      const names = [`Alice's name ${round}`, `Bob's name ${round}`]
      for (const [who, name] of [[alice, names[0]], [bob, names[1]]]) {
        await who.page.click('#rename-estimate')
        await who.page.fill('#rename-title', name)
      }
      await Promise.all([alice.page.press('#rename-title', 'Enter'), bob.page.press('#rename-title', 'Enter')])
      const ended = await oneTitleEverywhere(`round ${round} ends with one name everywhere`, [alice, bob], carol, id,
        t => names.includes(t))
      rounds.push(ended.shown[0])
    }
    for (const who of [alice, bob, carol]) check(who.errors.length === 0, `${who.name}'s page had errors: ${who.errors}`)
    return { id, rounds }
  }
}

await runScenarios(SCENARIOS, scenarios)
