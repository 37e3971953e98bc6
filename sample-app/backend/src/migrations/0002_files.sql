CREATE TABLE files (
  project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  content TEXT NOT NULL,
  size INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (project_id, path)
);

CREATE INDEX projects_owner_created ON projects (owner_id, created_at DESC);
