// `npm run fixtures`: remakes the PyTorch reference fixtures in tests/fixtures (run once; the
// files are committed) with the pinned torch (scripts/requirements-reference.txt).
import { join } from 'node:path';
import { ensureReferencePython, root, run } from './tools.mjs';

run(ensureReferencePython(), [join(root, 'scripts', 'torch_reference.py'), 'fixtures']);
