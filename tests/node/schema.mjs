// The core's schema as the page receives it (the same document the module's `schema()` returns:
// both serialise crate/schema.rs).
import { coreSchema } from '../../scripts/tools.mjs';

export const SCHEMA = coreSchema();
