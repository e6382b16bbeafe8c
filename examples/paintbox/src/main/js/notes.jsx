// The estimate's notes: a Lexical rich-text editor bound to the estimate's Y.Doc by Lexical's own collaboration
// plugin (@lexical/yjs), with the other people's cursors. The provider factory returns the estimate's provider and
// registers its Y.Doc, so the notes share the estimate's socket.
import { useCallback, useRef } from 'react'
import { LexicalComposer } from '@lexical/react/LexicalComposer'
import { RichTextPlugin } from '@lexical/react/LexicalRichTextPlugin'
import { ContentEditable } from '@lexical/react/LexicalContentEditable'
import { LexicalErrorBoundary } from '@lexical/react/LexicalErrorBoundary'
import { CollaborationPlugin } from '@lexical/react/LexicalCollaborationPlugin'
import { LexicalCollaboration } from '@lexical/react/LexicalCollaborationContext'

const theme = { paragraph: 'notes-paragraph' }

export function Notes ({ documentName, doc, provider, user }) {
  const cursors = useRef(null)
  const providerFactory = useCallback((id, yjsDocMap) => {
    yjsDocMap.set(id, doc)
    return provider
  }, [doc, provider])
  const initialConfig = {
    namespace: 'paintbox-notes',
    editorState: null, // the content comes from the document, never from here
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
          <CollaborationPlugin id={documentName} providerFactory={providerFactory} shouldBootstrap
            username={user.name} cursorColor={user.color} cursorsContainerRef={cursors} />
        </LexicalCollaboration>
      </LexicalComposer>
    </div>
  )
}
