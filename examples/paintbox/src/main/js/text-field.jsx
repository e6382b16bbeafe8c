// A one-line text field bound to a Y.Text: a room's name, a surface's paint.
//
// Kept as a plain string, such a name was last-writer-wins: two people typing into it at once, or one of them
// offline, each wrote the whole value, and one lost every character they typed. As a Y.Text each keystroke is the
// insertion or deletion it is, and both people's characters are kept, as in the notes.
//
// Estimates from before (and clients that write strings) hold a plain string there: it is shown as it is, and the
// first keystroke replaces it with a Y.Text of the same text. Two people whose first keystrokes in such an old name
// come at the same moment still lose one of them, once; every keystroke after is kept.
import * as Y from 'yjs'
import { useLayoutEffect, useReducer, useRef } from 'react'

const isHigh = c => c >= 0xd800 && c <= 0xdbff
const isLow = c => c >= 0xdc00 && c <= 0xdfff

/**
 * The edit that turns `before` into `after`, the field's value after one input event whose caret (the end of what
 * was typed or pasted, or where text was deleted) is at `caret`: `{ at, remove, insert }`. The caret settles which
 * of equal characters was typed ("a" typed into "aa"). Never splits a surrogate pair.
 */
export function editOf (before, after, caret) {
  const most = Math.min(before.length, after.length)
  let suffix = 0
  while (suffix < most && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++
  if (Number.isInteger(caret)) suffix = Math.min(suffix, Math.max(0, after.length - caret))
  let prefix = 0
  while (prefix < most - suffix && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++
  if (prefix > 0 && isHigh(before.charCodeAt(prefix - 1))) prefix--
  if (suffix > 0 && isLow(before.charCodeAt(before.length - suffix))) suffix--
  return { at: prefix, remove: before.length - suffix - prefix, insert: after.slice(prefix, after.length - suffix) }
}

/**
 * Where position `position` of a text is after someone else's change `delta` (a Y.Text event's delta). Text they
 * inserted exactly there goes after it: the person typing here keeps typing before it.
 */
export function movedBy (delta, position) {
  let at = 0 // in the text before the change
  let moved = position
  for (const op of delta) {
    if (at > position) break
    if (op.retain !== undefined) {
      at += op.retain
    } else if (op.insert !== undefined) {
      if (at < position) moved += typeof op.insert === 'string' ? op.insert.length : 1
    } else if (op.delete !== undefined) {
      if (at < position) moved -= Math.min(op.delete, position - at)
      at += op.delete
    }
  }
  return moved
}

/**
 * An input for the text under `field` of `map` (a Y.Map the parent observes, so that it re-renders when the value
 * is replaced): each keystroke edits the Y.Text in a transaction with `origin`. Someone else's change (or an undo) is
 * written into the input at once, in the task that brought it, with the caret moved along: the input never holds
 * text that the Y.Text does not, so the next keystroke's edit is computed against what the person sees.
 *
 * Except while an input method composes (Japanese, Chinese, Korean, accents on some keyboards: compositionstart to
 * compositionend): what the input shows then is not text yet. It is not written to the Y.Text (the others would get,
 * and the document keep, every half-composed step: "k", "か", "漢"), and someone else's change is not written into
 * the input (setting its value ends the composition and moves the caret to the end); their changes are kept, and
 * the composed text goes into the Y.Text where their changes moved it once the composition ends.
 */
export function TextField ({ map, field, origin, ...props }) {
  const value = map.get(field)
  const text = value instanceof Y.Text ? value : null
  const input = useRef(null)
  // While composing: { before: the text as the composition began, shown: the input's value, deltas: the changes
  // others made since }.
  const composing = useRef(null)
  const [, rerender] = useReducer(n => n + 1, 0)
  useLayoutEffect(() => {
    if (!text) return
    const onChange = (event, transaction) => {
      const element = input.current
      const now = text.toString()
      if (composing.current) {
        composing.current.deltas.push(event.delta)
      } else if (transaction.origin !== origin && element && element.value !== now) {
        const focused = document.activeElement === element
        const { selectionStart, selectionEnd, selectionDirection } = element
        element.value = now
        if (focused) {
          element.setSelectionRange(movedBy(event.delta, selectionStart), movedBy(event.delta, selectionEnd),
            selectionDirection)
        }
      }
      rerender()
    }
    text.observe(onChange)
    return () => text.unobserve(onChange)
  }, [text])
  const current = () => { // the field's text now (an old plain string, or none)
    const now = map.get(field)
    return now instanceof Y.Text ? now.toString() : typeof now === 'string' ? now : ''
  }
  const shown = composing.current ? composing.current.shown : current()
  // The edit that turns `before` into `after`, in a transaction with `origin`; `deltas`: the changes others made
  // since `before`, which move where it goes. Returns where the text it inserted ends (undefined for an old string,
  // which becomes a Y.Text of `after`).
  const write = (before, after, caret, deltas = []) => {
    const text = map.get(field)
    if (!(text instanceof Y.Text)) {
      map.doc.transact(() => map.set(field, new Y.Text(after)), origin)
      return undefined
    }
    const { at, remove, insert } = editOf(before, after, caret)
    let start = at
    let end = at + remove
    for (const delta of deltas) {
      start = movedBy(delta, start)
      end = Math.max(start, movedBy(delta, end))
    }
    text.doc.transact(() => {
      if (end > start) text.delete(start, end - start)
      if (insert.length > 0) text.insert(start, insert)
    }, origin)
    return start + insert.length
  }
  const onChange = e => {
    if (composing.current) {
      composing.current.shown = e.target.value // shown as it is (React would put back the last value), not written
      rerender()
      return
    }
    write(current(), e.target.value, e.target.selectionEnd)
  }
  const onCompositionStart = e => {
    composing.current = { before: current(), shown: e.target.value, deltas: [] }
  }
  const onCompositionEnd = e => {
    const composed = composing.current
    if (!composed) return
    composing.current = null
    const element = e.target
    const caret = write(composed.before, element.value, element.selectionEnd, composed.deltas)
    const now = current()
    if (element.value !== now) { // others changed the text meanwhile: show it, the caret after what was composed
      element.value = now
      if (caret !== undefined && document.activeElement === element) element.setSelectionRange(caret, caret)
    }
    rerender()
  }
  return <input ref={input} {...props} value={shown} onChange={onChange} onCompositionStart={onCompositionStart}
    onCompositionEnd={onCompositionEnd} />
}
