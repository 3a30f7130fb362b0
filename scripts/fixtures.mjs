// `npm run fixtures`: remakes the PyTorch and numpy/scipy reference fixtures in tests/fixtures (run once; the
// files are committed) with the pinned torch (scripts/requirements-reference.txt).
import { join } from 'node:path';
import { ensureReferencePython, root, run } from './tools.mjs';

run(ensureReferencePython(), [join(root, 'scripts', 'torch_reference.py'), 'fixtures']);

run(ensureReferencePython(), [join(root, 'scripts', 'metrics_reference.py'), join(root, 'tests', 'fixtures', 'metrics.safetensors')]);
