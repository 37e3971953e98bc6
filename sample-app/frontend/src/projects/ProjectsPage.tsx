import { useEffect, useState, type FormEvent } from 'react';
import { describeError, unwrap, type Project, type Template } from '../api/client.js';
import { useServices } from '../api/context.js';
import { Feedback } from '../Feedback.js';

export interface ProjectsPageProps {
  onOpen: (project: Project) => void;
}

/** The caller's projects, newest first, and the form that creates one from a template. */
export function ProjectsPage({ onOpen }: ProjectsPageProps) {
  const { api } = useServices();
  const [projects, setProjects] = useState<Project[] | undefined>();
  const [templates, setTemplates] = useState<Template[]>([]);
  const [loadError, setLoadError] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    Promise.all([unwrap(api.GET('/api/projects')), unwrap(api.GET('/api/templates'))]).then(
      ([projectList, templateList]) => {
        if (!live) return;
        setProjects(projectList.projects);
        setTemplates(templateList.templates);
      },
      (failure) => live && setLoadError(describeError(failure)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  async function remove(project: Project) {
    try {
      await unwrap(api.DELETE('/api/projects/{id}', { params: { path: { id: project.id } } }));
      setProjects((list) => list?.filter((p) => p.id !== project.id));
    } catch (failure) {
      setLoadError(describeError(failure));
    }
  }

  return (
    <div className="projects">
      <section className="panel" aria-labelledby="projects-title">
        <h2 id="projects-title">Projects</h2>
        <Feedback error={loadError} />
        {!projects && !loadError && <p className="muted">Loading projects…</p>}
        {projects?.length === 0 && <p className="muted">No projects yet. Create one to start.</p>}
        <ul className="project-list">
          {projects?.map((project) => (
            <li key={project.id}>
              <div>
                <strong>{project.name}</strong>
                <div className="muted">
                  {project.template ?? 'empty'} · {project.fileCount} {project.fileCount === 1 ? 'file' : 'files'}
                  {project.description && ` · ${project.description}`}
                </div>
              </div>
              <div className="row">
                <button type="button" onClick={() => onOpen(project)} aria-label={`Open ${project.name}`}>
                  Open
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => remove(project)}
                  aria-label={`Delete ${project.name}`}
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      </section>
      <CreateProjectForm templates={templates} onCreated={(p) => setProjects((list) => [p, ...(list ?? [])])} />
    </div>
  );
}

interface CreateProjectFormProps {
  templates: Template[];
  onCreated: (project: Project) => void;
}

function CreateProjectForm({ templates, onCreated }: CreateProjectFormProps) {
  const { api } = useServices();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [template, setTemplate] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const chosen = templates.find((t) => t.id === template);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      // Optional fields are left out rather than sent empty: the backend treats a given
      // template id as a request to seed files.
      const body = { name, ...(description && { description }), ...(template && { template }) };
      const project = await unwrap(api.POST('/api/projects', { body }));
      onCreated(project);
      setNotice(`Created ${project.name}.`);
      setName('');
      setDescription('');
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="create-title">
      <h2 id="create-title">New project</h2>
      <form className="stack" onSubmit={submit}>
        <label>
          Project name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} />
        </label>
        <label>
          Template
          <select value={template} onChange={(e) => setTemplate(e.target.value)}>
            <option value="">Empty project</option>
            {templates.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} ({t.language})
              </option>
            ))}
          </select>
        </label>
        {chosen && (
          <p className="muted">
            {chosen.description} Seeds {chosen.files.length} {chosen.files.length === 1 ? 'file' : 'files'}.
          </p>
        )}
        <Feedback error={error} notice={notice} />
        <button type="submit" disabled={busy}>
          Create project
        </button>
      </form>
    </section>
  );
}
