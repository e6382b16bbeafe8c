// Date.now for the peer: the wall clock until a "clock" command fixes it. yjs-peer.mjs imports this module first, so
// that it runs before lib0 loads: lib0's time.getUnixTime is Date.now as it was then, and Yjs's UndoManager measures
// its captureTimeout with it.
const wallClock = Date.now
let fixed = null
Date.now = () => fixed ?? wallClock()

/** Fixes Date.now at {@code now} milliseconds, or gives it back to the wall clock (null). */
export const setClock = now => { fixed = now }
