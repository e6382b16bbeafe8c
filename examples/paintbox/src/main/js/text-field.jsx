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
 */
export function TextField ({ map, field, origin, ...props }) {
  const value = map.get(field)
  const text = value instanceof Y.Text ? value : null
  const input = useRef(null)
  const [, rerender] = useReducer(n => n + 1, 0)
  useLayoutEffect(() => {
    if (!text) return
    const onChange = (event, transaction) => {
      const element = input.current
      const now = text.toString()
      if (transaction.origin !== origin && element && element.value !== now) {
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
  const shown = text ? text.toString() : typeof value === 'string' ? value : ''
  const onChange = e => {
    const after = e.target.value
    if (!text) {
      map.doc.transact(() => map.set(field, new Y.Text(after)), origin)
      return
    }
    const { at, remove, insert } = editOf(text.toString(), after, e.target.selectionEnd)
    text.doc.transact(() => {
      if (remove > 0) text.delete(at, remove)
      if (insert.length > 0) text.insert(at, insert)
    }, origin)
  }
  return <input ref={input} {...props} value={shown} onChange={onChange} />
}
