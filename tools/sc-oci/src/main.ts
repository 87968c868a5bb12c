import { main } from './front.js';

process.exitCode = await main(process.argv.slice(2));
