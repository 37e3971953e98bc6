import { useState } from 'react';

export interface FileEditorProps {
  path: string;
  draft: string;
  dirty: boolean;
  busy: boolean;
  onChange: (draft: string) => void;
  onSave: () => void;
  onDelete: () => void;
}

/** A plain textarea editor with save and a two-step delete (no modal dialogs to block tests). */
export function FileEditor({ path, draft, dirty, busy, onChange, onSave, onDelete }: FileEditorProps) {
  const [confirming, setConfirming] = useState(false);
  return (
    <section className="panel editor" aria-label="Editor">
      <div className="row" style={{ justifyContent: 'space-between', marginBottom: '0.5rem' }}>
        <h3 style={{ margin: 0 }}>
          {path}
          {dirty && <span className="muted"> (unsaved)</span>}
        </h3>
        <div className="row">
          <button type="button" onClick={onSave} disabled={!dirty || busy}>
            Save
          </button>
          {confirming ? (
            <>
              <button type="button" className="danger" onClick={onDelete} disabled={busy}>
                Confirm delete
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" className="secondary" onClick={() => setConfirming(true)} disabled={busy}>
              Delete
            </button>
          )}
        </div>
      </div>
      <textarea
        aria-label={`Content of ${path}`}
        value={draft}
        spellCheck={false}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          // Ctrl/Cmd+S saves instead of opening the browser's "save page" dialog.
          if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
            e.preventDefault();
            if (dirty && !busy) onSave();
          }
        }}
      />
    </section>
  );
}
