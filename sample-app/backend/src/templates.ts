/** A project template: the files it writes into a new project. */
export interface ProjectTemplate {
  id: string;
  name: string;
  description: string;
  language: string;
  files: Record<string, string>;
}

const gitignore = 'node_modules/\ndist/\ncoverage/\n.env\n';

/** The templates offered by listTemplates, keyed by id. */
export const TEMPLATES: ProjectTemplate[] = [
  {
    id: 'node-api',
    name: 'Node.js API',
    description: 'A Fastify HTTP API in TypeScript with a health route.',
    language: 'typescript',
    files: {
      '.gitignore': gitignore,
      'package.json': `${JSON.stringify({ name: 'node-api', type: 'module', scripts: { start: 'tsx src/server.ts' }, dependencies: { fastify: '^5.0.0' } }, null, 2)}\n`,
      'src/server.ts':
        "import Fastify from 'fastify';\n\nconst app = Fastify({ logger: true });\napp.get('/healthz', async () => ({ status: 'ok' }));\nawait app.listen({ port: Number(process.env.PORT ?? 3000) });\n",
      'README.md': '# node-api\n\nRun `npm start`, then `curl localhost:3000/healthz`.\n',
    },
  },
  {
    id: 'python-fastapi',
    name: 'Python FastAPI',
    description: 'A FastAPI service with a health route and a pytest test.',
    language: 'python',
    files: {
      'requirements.txt': 'fastapi>=0.110\nuvicorn>=0.29\npytest>=8\nhttpx>=0.27\n',
      'app/main.py':
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/healthz")\ndef healthz() -> dict[str, str]:\n    return {"status": "ok"}\n',
      'tests/test_main.py':
        'from fastapi.testclient import TestClient\n\nfrom app.main import app\n\n\ndef test_healthz() -> None:\n    assert TestClient(app).get("/healthz").json() == {"status": "ok"}\n',
      'README.md': '# python-fastapi\n\nRun `uvicorn app.main:app --reload`.\n',
    },
  },
  {
    id: 'react-typescript',
    name: 'React + TypeScript',
    description: 'A Vite React single-page app in TypeScript.',
    language: 'typescript',
    files: {
      '.gitignore': gitignore,
      'package.json': `${JSON.stringify({ name: 'react-typescript', private: true, type: 'module', scripts: { dev: 'vite', build: 'tsc && vite build' }, dependencies: { react: '^19.0.0', 'react-dom': '^19.0.0' }, devDependencies: { vite: '^7.0.0', typescript: '^5.9.0' } }, null, 2)}\n`,
      'index.html':
        '<!doctype html>\n<html>\n  <body>\n    <div id="root"></div>\n    <script type="module" src="/src/main.tsx"></script>\n  </body>\n</html>\n',
      'src/main.tsx':
        "import { createRoot } from 'react-dom/client';\nimport { App } from './App';\n\ncreateRoot(document.getElementById('root')!).render(<App />);\n",
      'src/App.tsx': 'export function App() {\n  return <h1>Hello from Myco</h1>;\n}\n',
    },
  },
];
