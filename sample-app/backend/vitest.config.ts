import { serviceConfig } from '../vitest.service.js';

// server.ts only imports main() and awaits it; main() itself is tested. testing.ts is the tests' own helper.
export default serviceConfig(['src/testing.ts', 'src/server.ts']);
