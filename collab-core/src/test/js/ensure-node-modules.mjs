// Run by collab-core's build (exec-maven-plugin, phase generate-test-resources) before the interop tests:
// installs this folder's pinned packages with `npm ci`, unless node_modules is already up to date, so that
// re-runs cost one Node start-up and no network.
//
// "Up to date" means npm's own record of the last install, node_modules/.package-lock.json, exists and is
// newer than package-lock.json and package.json; a pulled lock file change therefore reinstalls.

import { spawnSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { resolve, sep } from 'node:path'

// The folder to install: this script's own, or the one given as the first argument (benchmarks/js reuses it).
const dir = process.argv[2] ? resolve(process.argv[2]) + sep : fileURLToPath(new URL('.', import.meta.url))
const mtime = file => {
  try {
    return statSync(dir + file).mtimeMs
  } catch {
    return -1
  }
}

const installed = mtime('node_modules/.package-lock.json')
if (installed >= 0 && installed >= mtime('package-lock.json') && installed >= mtime('package.json')) {
  process.exit(0)
}

console.log('[yjs-interop] npm ci --no-audit --no-fund in ' + dir)
const windows = process.platform === 'win32'
const result = spawnSync(windows ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit', shell: windows })
if (result.error) {
  console.error('[yjs-interop] could not run npm (Node 20+ with npm must be on the PATH): ' + result.error.message)
  process.exit(1)
}
process.exit(result.status === null ? 1 : result.status)
