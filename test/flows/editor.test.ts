import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchChromium, saveScreenshot } from '../hub/dashboard/browser.js';
import { freePort } from '../hub/live/hub-process.js';
import { tempDir } from '../hub/mqtt-helpers.js';
import { deploy, type FlowsProcess, startFlows } from './flows-process.js';

const data = tempDir('gridflex-flows-editor-');
let flows: FlowsProcess | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await flows?.interrupt();
  data.remove();
});

const example = (name: string) =>
  JSON.parse(readFileSync(join('flows', 'examples', `${name}.json`), 'utf8')) as Record<string, unknown>[];

describe('the Node-RED editor of npm run flows (real headless Chromium)', () => {
  it('shows the gridflex palette with help, opens the nodes’ edit dialogs, and logs no errors', async () => {
    // No hub on this port: the editor still starts, and the nodes wait for the hub.
    const brokerPort = await freePort();
    flows = await startFlows(['--broker', `mqtt://127.0.0.1:${brokerPort}`, '--data-dir', data.dir]);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = collectPageErrors(page);
    page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));

    // Importing an example (as from the Examples menu, with new IDs) reuses the hub config node the user dir
    // starts with, so it runs without asking for a broker.
    await page.goto(flows.editorUrl);
    await page.waitForSelector('.red-ui-palette-node[data-palette-type="gridflex-plot"]');
    // The palette can show before the flows arrive (CI at load 30 did): wait for the user dir's hub node.
    await page.waitForFunction(() => {
      type Red = { nodes: { eachConfig(visit: (node: { type: string }) => void): void } };
      let hubs = 0;
      (window as unknown as { RED: Red }).RED.nodes.eachConfig((node) => {
        if (node.type === 'gridflex-hub') hubs++;
      });
      return hubs > 0;
    });
    const imported = await page.evaluate((nodes) => {
      type Red = {
        view: { importNodes(nodes: unknown, options: { generateIds: boolean }): void };
        nodes: {
          eachConfig(visit: (node: { id: string; type: string }) => void): void;
          eachNode(visit: (node: { type: string; hub?: string }) => void): void;
        };
      };
      const red = (window as unknown as { RED: Red }).RED;
      red.view.importNodes(nodes, { generateIds: true });
      const hubs: string[] = [];
      red.nodes.eachConfig((node) => {
        if (node.type === 'gridflex-hub') hubs.push(node.id);
      });
      const users: (string | undefined)[] = [];
      red.nodes.eachNode((node) => {
        if (node.type.startsWith('gridflex-')) users.push(node.hub);
      });
      return { hubs, users };
    }, example('rewire-the-table'));
    expect(imported.hubs).toEqual(['gridflex-hub-local']);
    expect(new Set(imported.users)).toEqual(new Set(['gridflex-hub-local']));

    await deploy(flows.editorUrl, [
      ...example('rewire-the-table'),
      ...example('regulator-dynamic-network-charge'),
      ...example('resident-agent-function'),
    ]);

    // The editor shows what was deployed once reloaded.
    await page.reload();
    await page.waitForSelector('.red-ui-palette-node[data-palette-type="gridflex-plot"]');

    const palette = await page.$$eval('.red-ui-palette-node[data-palette-type^="gridflex-"]', (nodes) =>
      nodes.map((node) => node.getAttribute('data-palette-type')),
    );
    expect(palette.sort()).toEqual(
      [
        'gridflex-clock',
        'gridflex-device',
        'gridflex-plot',
        'gridflex-resident',
        'gridflex-rule',
        'gridflex-tariff',
        'gridflex-watch',
      ].sort(),
    );
    const types = await page.evaluate(() => {
      const red = (window as unknown as { RED: { nodes: { getType(type: string): { category: string } } } })
        .RED;
      return ['gridflex-plot', 'gridflex-hub'].map((type) => red.nodes.getType(type).category);
    });
    expect(types).toEqual(['gridflex', 'config']);
    // Every node type has its help text.
    const helpTypes = await page.$$eval('script[data-help-name^="gridflex-"]', (scripts) =>
      scripts.map((script) => script.getAttribute('data-help-name')),
    );
    expect(helpTypes).toHaveLength(8);

    // The edit dialogs open with their fields (the rule's JSON field is a typed input).
    await page.evaluate(() => {
      const red = (
        window as unknown as {
          RED: { editor: { edit(node: unknown): void }; nodes: { node(id: string): unknown } };
        }
      ).RED;
      red.editor.edit(red.nodes.node('network-charge-rule'));
    });
    await page.waitForSelector('#node-input-kind');
    expect(await page.inputValue('#node-input-kind')).toBe('regulator');
    expect(await page.locator('.red-ui-typedInput-container').count()).toBeGreaterThan(0);
    await saveScreenshot(page, 'node-red-rule-editor');
    await page.click('#node-dialog-cancel');
    await page.waitForSelector('.red-ui-tray', { state: 'detached' });

    await page.evaluate(() => {
      const red = (window as unknown as { RED: { workspaces: { show(id: string): void } } }).RED;
      red.workspaces.show('rewire-tab');
    });
    await page.waitForSelector('.red-ui-flow-node-group');
    await saveScreenshot(page, 'node-red-rewire-the-table');
    expect(errors).toEqual([]);
  });
});
