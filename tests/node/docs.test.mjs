// The docs point at what is there: every relative link in README.md, CONTRIBUTING.md and docs/
// resolves to a file of the repository, every file path they name in code spans exists, and the
// README stays short enough to read in a sitting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { root } from '../../scripts/tools.mjs';

const DOCS = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
// Generated or fetched, not in a checkout: named in the docs all the same.
const NOT_IN_A_CHECKOUT = /^(pkg|dist|out|test-results|node_modules|target)\//;

test('every relative link in the docs resolves', () => {
  const broken = [];
  for (const doc of DOCS) {
    const text = readFileSync(join(root, doc), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const path = join(root, dirname(doc), decodeURIComponent(target.split('#')[0]));
      if (!existsSync(path)) broken.push(`${doc}: ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

test('every file path the docs name in code exists', () => {
  const missing = [];
  for (const doc of DOCS) {
    const text = readFileSync(join(root, doc), 'utf8');
    for (const [, span] of text.matchAll(/`([^`\n]+)`/g)) {
      for (const [path] of span.matchAll(/\b(?:crate|www|scripts|tests|docs|\.ci)\/[\w./-]*\.(?:rs|js|mjs|md|py|html|css|json|toml|txt|safetensors|png|sh)\b/g)) {
        if (!NOT_IN_A_CHECKOUT.test(path) && !existsSync(join(root, path))) missing.push(`${doc}: ${path}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

test('the README reads in a sitting (at most 300 lines)', () => {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n').length;
  assert.ok(lines <= 300, `${lines} lines`);
});
