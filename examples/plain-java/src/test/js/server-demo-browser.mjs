// Two people in two real browsers (Debian's Chromium, headless, driven by playwright-core) share the demo page's
// text: both type at once; both pages must end with the same text holding both, each must see the other, and
// when one leaves the other must see it go at once. Prints one JSON line with what it saw; exits non-zero on a
// failed check. Usage: node server-demo-browser.mjs <page url> <screenshot directory>
import { chromium } from 'playwright-core'
import { mkdirSync } from 'node:fs'

const [url, shots] = process.argv.slice(2)
if (!url || !shots) {
  console.error('usage: node server-demo-browser.mjs <page url> <screenshot directory>')
  process.exit(2)
}
mkdirSync(shots, { recursive: true })

const check = (ok, what) => {
  if (!ok) throw new Error('check failed: ' + what)
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync']
})
try {
  const open = async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 620 } })
    const page = await context.newPage()
    page.on('pageerror', e => console.error('[page error] ' + e.message))
    await page.goto(url)
    await page.waitForSelector('body[data-status="synced"]', { timeout: 15000 })
    await page.waitForSelector('#text:not([disabled])')
    return { context, page }
  }
  const a = await open()
  const b = await open()
  const people = page => page.locator('#people li').count()
  const text = page => page.locator('#text').inputValue()

  await a.page.locator('#text').click()
  await a.page.keyboard.type('Hello from the first window. ')
  await b.page.waitForFunction(() => document.getElementById('text').value.includes('window.'), null,
    { timeout: 10000 })

  // Both at once: A at the start, B at the end.
  await b.page.locator('#text').click()
  await b.page.keyboard.press('End')
  await a.page.keyboard.press('Home')
  await Promise.all([
    a.page.keyboard.type('First line by A. ', { delay: 15 }),
    b.page.keyboard.type('And B adds this at the end.', { delay: 15 })
  ])

  const deadline = Date.now() + 10000
  let textA, textB
  do {
    ;[textA, textB] = [await text(a.page), await text(b.page)]
    if (textA === textB && textA.includes('First line by A. ') && textA.includes('And B adds this at the end.')) break
    await new Promise(r => setTimeout(r, 100))
  } while (Date.now() < deadline)
  check(textA === textB, `both pages show the same text: ${JSON.stringify(textA)} vs ${JSON.stringify(textB)}`)
  check(textA.includes('First line by A. ') && textA.includes('And B adds this at the end.') &&
    textA.includes('window.'), 'the text holds what both typed: ' + JSON.stringify(textA))

  await a.page.waitForFunction(() => document.querySelectorAll('#people li').length === 2, null, { timeout: 5000 })
  await b.page.waitForFunction(() => document.querySelectorAll('#people li').length === 2, null, { timeout: 5000 })
  const together = [await people(a.page), await people(b.page)]
  await a.page.screenshot({ path: `${shots}/server-demo-a.png` })
  await b.page.screenshot({ path: `${shots}/server-demo-b.png` })

  // B leaves: A sees it at once (the server broadcasts the removal), not after the 30 s awareness timeout.
  const left = Date.now()
  await b.context.close()
  await a.page.waitForFunction(() => document.querySelectorAll('#people li').length === 1, null, { timeout: 5000 })
  const goneAfterMillis = Date.now() - left

  console.log(JSON.stringify({ text: textA, peopleTogether: together, goneAfterMillis }))
} finally {
  await browser.close()
}
