import type { TreeNode } from './tree.js';

export interface FileTreeProps {
  nodes: TreeNode[];
  selected: string | undefined;
  onSelect: (path: string) => void;
}

/** The project's files as a nested list; folders are labels, files are buttons. */
export function FileTree({ nodes, selected, onSelect }: FileTreeProps) {
  return (
    <ul className="tree">
      {nodes.map((node) =>
        node.kind === 'dir' ? (
          <li key={node.path}>
            <span className="dir muted">{node.name}/</span>
            <div style={{ paddingLeft: '0.9rem' }}>
              <FileTree nodes={node.children} selected={selected} onSelect={onSelect} />
            </div>
          </li>
        ) : (
          <li key={node.path}>
            <button
              type="button"
              aria-current={node.path === selected}
              title={`${node.path} (${node.size} bytes)`}
              onClick={() => onSelect(node.path)}
            >
              {node.name}
            </button>
          </li>
        ),
      )}
    </ul>
  );
}
