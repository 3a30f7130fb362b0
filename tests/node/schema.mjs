// The core's schema as the page receives it (the same document the module's `schema()` returns:
// both serialise crate/schema.rs).
import { execFileSync } from 'node:child_process';
import { cargoEnv, coreSchema, root } from '../../scripts/tools.mjs';

export const SCHEMA = coreSchema();

/** The core's answers to runs' settings (`gan config`): for each, the run as the page would show
 * it ({config, settings, inUse, optimizer, training}) or {error}. */
export function coreViews(settingsList) {
  const input = settingsList.map((s) => JSON.stringify(s)).join('\n');
  const out = execFileSync('cargo', ['run', '--release', '--quiet', '--bin', 'gan', '--', 'config'], { cwd: root, env: cargoEnv(), input, encoding: 'utf8', maxBuffer: 1 << 26 });
  return out.trim().split('\n').map((line) => JSON.parse(line));
}
