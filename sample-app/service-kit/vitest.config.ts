import { serviceConfig } from '../vitest.service.js';

// index.ts only re-exports the modules, each of which is measured.
export default serviceConfig(['src/index.ts']);
