// `npm run fixtures`: remakes the PyTorch reference fixtures in tests/fixtures (run once; the
// files are committed). Installs the pinned torch and safetensors into a virtual environment
// outside the checkout (torch from PyPI brings its CUDA libraries: a few GB, downloaded once).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { root, run } from './tools.mjs';

const venv = process.env.REFERENCE_VENV || join(homedir(), '.cache', 'gan-playground', 'pyenv');
const python = join(venv, 'bin', 'python');
if (!existsSync(python)) run('python3', ['-m', 'venv', venv]);
run(join(venv, 'bin', 'pip'), ['install', '--quiet', '-r', join(root, 'scripts', 'requirements-reference.txt')]);
run(python, [join(root, 'scripts', 'torch_reference.py'), 'fixtures']);
