// The estimate's notes: a Lexical rich-text editor bound to the estimate's Y.Doc by Lexical's own collaboration
// plugin (@lexical/yjs), with the other people's cursors. The provider factory returns the estimate's provider and
// registers its Y.Doc, so the notes share the estimate's socket.
import { useCallback, useEffect, useRef } from 'react'
import { COLLABORATION_TAG } from 'lexical'
import { syncCursorPositions } from '@lexical/yjs'
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext'
import { LexicalComposer } from '@lexical/react/LexicalComposer'
import { RichTextPlugin } from '@lexical/react/LexicalRichTextPlugin'
import { ContentEditable } from '@lexical/react/LexicalContentEditable'
import { LexicalErrorBoundary } from '@lexical/react/LexicalErrorBoundary'
import { CollaborationPlugin } from '@lexical/react/LexicalCollaborationPlugin'
import { LexicalCollaboration } from '@lexical/react/LexicalCollaborationContext'

const theme = { paragraph: 'notes-paragraph' }

// Lexical redraws the other people's cursors when awareness changes, which for our own typing happens before the
// new text is in the document: their cursors then lag behind by what we just typed. Redraw them once more after
// each local update has been laid out. (The binding is Lexical's; we get it the first time Lexical syncs cursors.)
function RedrawCursors ({ binding, provider }) {
  const [editor] = useLexicalComposerContext()
  useEffect(() => editor.registerUpdateListener(({ tags }) => {
    if (binding.current && !tags.has(COLLABORATION_TAG)) {
      requestAnimationFrame(() => binding.current && syncCursorPositions(binding.current, provider))
    }
  }), [editor, provider])
  return null
}

// Whether the user may type into the notes follows `editable` (a user who may only read the estimate, or who lost
// write access with a fresh token): the server would drop what they type.
function Editable ({ editable }) {
  const [editor] = useLexicalComposerContext()
  useEffect(() => editor.setEditable(editable), [editor, editable])
  return null
}

export function Notes ({ documentName, doc, provider, user, editable }) {
  const cursors = useRef(null)
  const providerFactory = useCallback((id, yjsDocMap) => {
    yjsDocMap.set(id, doc)
    return provider
  }, [doc, provider])
  const binding = useRef(null)
  const syncCursors = useCallback((b, p, options) => {
    binding.current = b
    syncCursorPositions(b, p, options)
  }, [])
  const initialConfig = {
    namespace: 'paintbox-notes',
    editorState: null, // the content comes from the document, never from here
    editable,
    theme,
    onError: error => console.error(error)
  }
  return (
    // Lexical places the cursors relative to the container's offset parent: the positioned .notes.
    <div className='notes'>
      <div ref={cursors} />
      <LexicalComposer initialConfig={initialConfig}>
        <LexicalCollaboration>
          <RichTextPlugin
            contentEditable={<ContentEditable id='notes' className='notes-editable' aria-label='notes' />}
            placeholder={<div className='notes-placeholder'>Notes for everybody: access, colours, dates…</div>}
            ErrorBoundary={LexicalErrorBoundary} />
          {/* Bootstrapping writes the first empty paragraph into an empty document: not for a reader. */}
          <CollaborationPlugin id={documentName} providerFactory={providerFactory} shouldBootstrap={editable}
            username={user.name} cursorColor={user.color} cursorsContainerRef={cursors}
            syncCursorPositionsFn={syncCursors} />
          <RedrawCursors binding={binding} provider={provider} />
          <Editable editable={editable} />
        </LexicalCollaboration>
      </LexicalComposer>
    </div>
  )
}
