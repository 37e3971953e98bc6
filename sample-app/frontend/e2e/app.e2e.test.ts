/**
 * End-to-end: the built UI in Debian's Chromium against the real backend and AI engine, each
 * started as its own process on 127.0.0.1. Nothing is mocked; the browser reaches the backend
 * through vite preview's /api proxy exactly as a deployed UI reaches it through its ingress.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM) || installChromium();
const FRONTEND = resolve(import.meta.dirname, '..');
const SCREENSHOT = '/tmp/myco-frontend-e2e.png';

if (!HAVE_CHROMIUM) {
  console.warn(
    `Skipping the frontend e2e test: no Chromium at ${CHROMIUM}. Install it with \`apt-get install -y chromium\` ` +
      'or point CHROMIUM_PATH at a Chromium binary (never `playwright install`).',
  );
}

/** On a fresh machine where we are root (CI, a container), Debian's Chromium is installed as Prometheus is. */
function installChromium(): boolean {
  if (process.env.CHROMIUM_PATH || process.getuid?.() !== 0) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env });
  } catch {
    return false;
  }
  return existsSync(CHROMIUM);
}

interface Service {
  name: string;
  process: ChildProcess;
  output: string[];
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

/** Starts one sample-app service with tsx and waits until its /healthz answers 200. */
async function startService(name: string, dir: string, env: Record<string, string>, url: string): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: resolve(FRONTEND, '..', dir),
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service: Service = { name, process: child, output: [] };
  child.stdout?.on('data', (chunk: Buffer) => service.output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => service.output.push(chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const healthy = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return service;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(
    `${name} did not become healthy at ${url}/healthz (exit code ${child.exitCode}). Its output:\n${service.output.join('')}`,
  );
}

function stopService(service: Service | undefined): Promise<void> {
  if (!service || service.process.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => service.process.kill('SIGKILL'), 5_000);
    service.process.once('exit', () => {
      clearTimeout(force);
      done();
    });
    service.process.kill('SIGTERM');
  });
}

describe.skipIf(!HAVE_CHROMIUM)('Myco frontend end to end (real backend, AI engine and Chromium)', () => {
  let engine: Service | undefined;
  let backend: Service | undefined;
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let appUrl: string;
  let backendUrl: string;
  const outDir = mkdtempSync(join(tmpdir(), 'myco-frontend-e2e-'));

  beforeAll(async () => {
    const [enginePort, backendPort, previewPort] = [await freePort(), await freePort(), await freePort()];
    const engineUrl = `http://127.0.0.1:${enginePort}`;
    backendUrl = `http://127.0.0.1:${backendPort}`;
    [engine, backend] = await Promise.all([
      startService('ai-engine', 'ai-engine', { PORT: String(enginePort) }, engineUrl),
      startService(
        'backend',
        'backend',
        { PORT: String(backendPort), AI_ENGINE_URL: engineUrl, DATABASE_PATH: ':memory:' },
        backendUrl,
      ),
    ]);
    await build({ root: FRONTEND, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = await preview({
      root: FRONTEND,
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port: previewPort, strictPort: true, proxy: { '/api': backendUrl } },
    });
    appUrl = `http://127.0.0.1:${previewPort}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((done) => (server ? server.httpServer.close(() => done()) : done()));
    await Promise.all([stopService(backend), stopService(engine)]);
    rmSync(outDir, { recursive: true, force: true });
  });

  it('registers, logs in, creates a project, edits and saves a file and generates code', async () => {
    const email = `e2e-${Date.now()}@example.com`;
    const password = 'e2e password 123';
    await page.goto(appUrl);

    await page.getByRole('button', { name: 'Create one' }).click();
    await page.getByLabel('Name').fill('E2E User');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('E2E User (user)').waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('E2E User (user)').waitFor();

    // Use whatever templates the backend offers: the first real one seeds files to edit.
    const template = page.getByLabel('Template');
    await template.locator('option').nth(1).waitFor({ state: 'attached' });
    const templateId = await template.locator('option').nth(1).getAttribute('value');
    await page.getByLabel('Project name').fill('e2e-demo');
    await template.selectOption(templateId!);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('status').filter({ hasText: 'Created e2e-demo.' }).waitFor();
    await page.getByRole('button', { name: 'Open e2e-demo' }).click();

    const firstFile = page.getByRole('navigation', { name: 'Files' }).locator('ul.tree button').first();
    await firstFile.waitFor();
    const path = (await firstFile.getAttribute('title'))!.replace(/ \(\d+ bytes\)$/, '');
    await firstFile.click();
    const editor = page.getByLabel(`Content of ${path}`);
    await editor.waitFor();
    const original = await editor.inputValue();
    const marker = `\n// edited by the e2e test ${Date.now()}\n`;
    await editor.fill(original + marker);
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Saved ${path}.` })
      .waitFor();

    // The save must have reached the real backend, not just the page state.
    const stored = JSON.parse((await page.evaluate(() => sessionStorage.getItem('myco.session')))!);
    const projects = await (
      await fetch(`${backendUrl}/api/projects`, { headers: { authorization: `Bearer ${stored.tokens.accessToken}` } })
    ).json();
    const project = projects.projects.find((p: { name: string }) => p.name === 'e2e-demo');
    const saved = await fetch(
      `${backendUrl}/api/projects/${project.id}/files/content?path=${encodeURIComponent(path)}`,
      { headers: { authorization: `Bearer ${stored.tokens.accessToken}` } },
    ).then((r) => r.json());
    expect(saved.content).toBe(original + marker);

    await page.getByLabel('Prompt').fill('a function that adds two numbers');
    await page.getByRole('button', { name: 'Generate' }).click();
    const generated = page.getByLabel('Generated code');
    await generated.waitFor({ timeout: 60_000 });
    const code = await generated.locator('code').innerText();
    expect(code.trim().length).toBeGreaterThan(0);
    expect(await generated.innerText()).toMatch(/\d+ in \/ \d+ out tokens/);
    await page.getByRole('button', { name: 'Insert into open file' }).click();
    expect(await editor.inputValue()).toContain(code.trim().split('\n')[0]);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });
});
