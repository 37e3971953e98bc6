import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { describeError, unwrap, type FileEntry, type Project } from '../api/client.js';
import { useServices } from '../api/context.js';
import { AiPanel } from './AiPanel.js';
import { FileEditor } from './FileEditor.js';
import { FileTree } from './FileTree.js';
import { buildTree, languageForPath, pathProblem } from './tree.js';
import { Feedback } from '../Feedback.js';

export interface WorkspaceProps {
  project: Project;
  onBack: () => void;
}

interface OpenFile {
  path: string;
  saved: string;
  draft: string;
}

/** One project: its file tree, the open file's editor and the AI panel. */
export function Workspace({ project, onBack }: WorkspaceProps) {
  const { api } = useServices();
  const [files, setFiles] = useState<FileEntry[] | undefined>();
  const [open, setOpen] = useState<OpenFile | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const tree = useMemo(() => buildTree(files ?? []), [files]);
  const projectPath = { path: { id: project.id } };

  useEffect(() => {
    let live = true;
    unwrap(api.GET('/api/projects/{id}/files', { params: { path: { id: project.id } } })).then(
      (list) => live && setFiles(list.files),
      (failure) => live && setError(describeError(failure)),
    );
    return () => {
      live = false;
    };
  }, [api, project.id]);

  /** Runs one file operation with a shared busy flag and error/notice line. */
  async function run(action: () => Promise<string | undefined>): Promise<boolean> {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      setNotice(await action());
      return true;
    } catch (failure) {
      setError(describeError(failure));
      return false;
    } finally {
      setBusy(false);
    }
  }

  function upsert(entry: FileEntry) {
    setFiles((list = []) =>
      [...list.filter((f) => f.path !== entry.path), entry].sort((a, b) => a.path.localeCompare(b.path)),
    );
  }

  const openFile = (path: string) =>
    run(async () => {
      const file = await unwrap(
        api.GET('/api/projects/{id}/files/content', { params: { ...projectPath, query: { path } } }),
      );
      setOpen({ path: file.path, saved: file.content, draft: file.content });
      return undefined;
    });

  const save = () =>
    run(async () => {
      if (!open) return undefined;
      const file = await unwrap(
        api.PUT('/api/projects/{id}/files/content', {
          params: { ...projectPath, query: { path: open.path } },
          body: { content: open.draft },
        }),
      );
      upsert({ path: file.path, size: file.size, updatedAt: file.updatedAt });
      // Keep what the user typed since the request left; only the saved baseline moves.
      setOpen((current) => current && { ...current, saved: file.content });
      return `Saved ${file.path}.`;
    });

  const remove = () =>
    run(async () => {
      if (!open) return undefined;
      await unwrap(
        api.DELETE('/api/projects/{id}/files/content', { params: { ...projectPath, query: { path: open.path } } }),
      );
      setFiles((list) => list?.filter((f) => f.path !== open.path));
      setOpen(undefined);
      return `Deleted ${open.path}.`;
    });

  const create = (path: string) =>
    run(async () => {
      const problem = pathProblem(path);
      if (problem) throw new Error(problem);
      if (files?.some((f) => f.path === path)) throw new Error(`${path} already exists; open it from the tree.`);
      const file = await unwrap(
        api.PUT('/api/projects/{id}/files/content', {
          params: { ...projectPath, query: { path } },
          body: { content: '' },
        }),
      );
      upsert({ path: file.path, size: file.size, updatedAt: file.updatedAt });
      setOpen({ path: file.path, saved: file.content, draft: file.content });
      return `Created ${file.path}.`;
    });

  return (
    <>
      <div className="row" style={{ justifyContent: 'space-between', marginBottom: '1rem' }}>
        <h2 style={{ margin: 0 }}>{project.name}</h2>
        <button type="button" className="secondary" onClick={onBack}>
          ← All projects
        </button>
      </div>
      <Feedback error={error} notice={notice} />
      <div className="workspace">
        <nav className="panel" aria-label="Files">
          <h3>Files</h3>
          {!files && !error && <p className="muted">Loading files…</p>}
          {files?.length === 0 && <p className="muted">No files yet.</p>}
          <FileTree nodes={tree} selected={open?.path} onSelect={openFile} />
          <NewFileForm onCreate={create} busy={busy} />
        </nav>
        {open ? (
          <FileEditor
            path={open.path}
            draft={open.draft}
            dirty={open.draft !== open.saved}
            busy={busy}
            onChange={(draft) => setOpen({ ...open, draft })}
            onSave={save}
            onDelete={remove}
          />
        ) : (
          <section className="panel muted">Select a file to edit it, or create a new one.</section>
        )}
        <AiPanel
          projectId={project.id}
          language={languageForPath(open?.path)}
          onInsert={open && ((code) => setOpen({ ...open, draft: open.draft ? `${open.draft}\n${code}` : code }))}
        />
      </div>
    </>
  );
}

function NewFileForm({ onCreate, busy }: { onCreate: (path: string) => Promise<boolean>; busy: boolean }) {
  const [path, setPath] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    // Keep the typed path after a failure so the user can correct it.
    if (await onCreate(path.trim())) setPath('');
  }
  return (
    <form className="stack" style={{ marginTop: '0.75rem' }} onSubmit={submit}>
      <label>
        New file
        <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="src/util.ts" required />
      </label>
      <button type="submit" className="secondary" disabled={busy}>
        Create file
      </button>
    </form>
  );
}
