import './warnings.js';
import { main } from './main.js';
await main();
