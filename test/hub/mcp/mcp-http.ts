import { type ChildProcess, spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI } from '../live/hub-process.js';

/** `gridflex mcp … --http-port 0` with `args`, resolved with its URL once it serves. */
export function startMcpHttp(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'mcp', ...args, '--http-port', '0', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /mcp ready: (\S+)/.exec(out);
      if (match) resolve({ child, url: match[1] as string });
    });
    child.once('exit', (code) => reject(new Error(`gridflex mcp exited with ${code}`)));
  });
}

/** The SDK's own client over streamable HTTP, as `username` (HTTP Basic). */
export async function mcpHttpClient(url: string, username: string, password: string): Promise<Client> {
  const basic = Buffer.from(`${username}:${password}`).toString('base64');
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Basic ${basic}` } },
  });
  const client = new Client({ name: 'test-agent-http', version: '1.0.0' });
  await client.connect(transport);
  return client;
}
