// Run by collab-netty's build (exec-maven-plugin, phase generate-test-resources): `npm ci` in this folder when
// node_modules is missing or older than package.json / package-lock.json (npm's own install record,
// node_modules/.package-lock.json, tells when it last ran), so that a re-run costs one Node start-up and no
// network. The same approach as collab-core/src/test/js, for this folder's pins.

import { spawnSync } from 'node:child_process'
import { statSync } from 'node:fs'

const here = new URL('.', import.meta.url)
const modified = name => statSync(new URL(name, here), { throwIfNoEntry: false })?.mtimeMs ?? -1

const installedAt = modified('node_modules/.package-lock.json')
if (installedAt < 0 || installedAt < Math.max(modified('package.json'), modified('package-lock.json'))) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  console.log('[collab-netty interop] npm ci --no-audit --no-fund')
  const run = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit', shell: process.platform === 'win32' })
  if (run.error || run.status !== 0) {
    console.error('[collab-netty interop] npm ci failed (Node 20+ with npm on the PATH?): ' + (run.error?.message ?? 'exit ' + run.status))
    process.exit(1)
  }
}
