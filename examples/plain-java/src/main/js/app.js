// The demo page: a textarea bound to a Y.Text, synced through the Java server with y-websocket, and who is here
// (awareness). config.json (served by the demo) says where the WebSocket server listens.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const COLORS = ['#d1495b', '#00798c', '#edae49', '#30638e', '#6a4c93', '#2a9d8f', '#e76f51', '#3d405b']
const NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Donald', 'Frances', 'Niklaus', 'Leslie']

const config = await (await fetch('config.json')).json()
const documentName = decodeURIComponent(location.hash.slice(1)) || 'welcome'
document.getElementById('document').textContent = documentName

const doc = new Y.Doc()
const text = doc.getText('content')
const provider = new WebsocketProvider(config.websocketUrl, documentName, doc)
const me = {
  name: NAMES[Math.floor(Math.random() * NAMES.length)],
  color: COLORS[Math.floor(Math.random() * COLORS.length)]
}
provider.awareness.setLocalStateField('user', me)

const area = document.getElementById('text')
const setStatus = status => {
  document.body.dataset.status = status
  document.getElementById('status').textContent = status
}
provider.on('status', ({ status }) => setStatus(status === 'connected' && provider.synced ? 'synced' : status))
provider.on('sync', synced => {
  if (synced) {
    setStatus('synced')
    area.disabled = false
  }
})

// Local typing: the difference between what the textarea showed and what it shows now is one replaced range.
let shown = ''
area.addEventListener('input', () => {
  const now = area.value
  let start = 0
  while (start < shown.length && start < now.length && shown[start] === now[start]) start++
  let end = 0
  while (end < shown.length - start && end < now.length - start &&
    shown[shown.length - 1 - end] === now[now.length - 1 - end]) end++
  doc.transact(() => {
    if (shown.length - start - end > 0) text.delete(start, shown.length - start - end)
    if (now.length - start - end > 0) text.insert(start, now.slice(start, now.length - end))
  }, 'textarea')
  shown = now
})

// Remote edits: show the new text and move the selection through the change so the caret stays put.
text.observe(event => {
  if (event.transaction.origin === 'textarea') return
  let { selectionStart: from, selectionEnd: to } = area
  let index = 0
  for (const op of event.delta) {
    if (op.retain) {
      index += op.retain
    } else if (op.insert) {
      const n = op.insert.length
      if (index <= from) from += n
      if (index <= to) to += n
      index += n
    } else if (op.delete) {
      const n = op.delete
      if (index < from) from = Math.max(index, from - n)
      if (index < to) to = Math.max(index, to - n)
    }
  }
  shown = text.toString()
  area.value = shown
  area.setSelectionRange(from, to)
})

// Who is here, from the awareness states (a closed window disappears at once: the server broadcasts its removal).
const people = document.getElementById('people')
const renderPeople = () => {
  people.replaceChildren(...[...provider.awareness.getStates()].filter(([, s]) => s.user).map(([id, s]) => {
    const li = document.createElement('li')
    li.textContent = s.user.name + (id === doc.clientID ? ' (you)' : '')
    li.style.background = s.user.color
    return li
  }))
}
provider.awareness.on('change', renderPeople)
renderPeople()

// For the browser test and the curious: the document from the console.
window.collab = { doc, text, provider }
