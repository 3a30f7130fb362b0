// The core's schema as the page receives it, from `gan schema --json` (the same document the
// module's `schema()` returns: both serialise crate/schema.rs).
import { execFileSync } from 'node:child_process';

export const SCHEMA = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--bin', 'gan', '--', 'schema', '--json'], { encoding: 'utf8', maxBuffer: 1 << 24 }));
