import { useState } from 'react';
import type { Project } from './api/client.js';
import { useServices, useSession } from './api/context.js';
import { AuthForm } from './auth/AuthForm.js';
import { ProjectsPage } from './projects/ProjectsPage.js';
import { Workspace } from './workspace/Workspace.js';

/** The whole app: the login form until a session exists, then projects and a project's workspace. */
export function App() {
  const { session: store } = useServices();
  const session = useSession();
  return (
    <>
      <header className="topbar">
        <h1>Myco</h1>
        {session && (
          <div className="who">
            <span>
              {session.user.name} ({session.user.role})
            </span>
            <button type="button" className="secondary" onClick={() => store.set(null)}>
              Log out
            </button>
          </div>
        )}
      </header>
      {/* Keyed by user so nothing of one user's view survives into the next login. */}
      <main>{session ? <LoggedIn key={session.user.id} /> : <AuthForm />}</main>
    </>
  );
}

function LoggedIn() {
  const [project, setProject] = useState<Project | undefined>();
  return project ? (
    <Workspace project={project} onBack={() => setProject(undefined)} />
  ) : (
    <ProjectsPage onOpen={setProject} />
  );
}
