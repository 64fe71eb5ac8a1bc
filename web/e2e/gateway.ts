import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The gateway as built by `dotnet build ActorQuotes.sln -c Release` (which also builds this web client). */
export const gatewayDll = resolve(
  process.env.AQ_GATEWAY_DLL ?? join(here, '..', '..', 'src', 'Gateway', 'bin', 'Release', 'net10.0', 'ActorQuotes.Gateway.dll'),
);

const startTimeoutMs = 120_000;
const stopTimeoutMs = 60_000;

/** A real gateway process on a loopback port, with its own data folder and simulated prices. */
export class GatewayProcess {
  private exited: Promise<number | null>;
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly dataDir: string,
  ) {
    this.exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  }

  port = 0;

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.output;
  }

  /** Starts the gateway; port 0 lets Kestrel pick a free one, read back from "Now listening on:". */
  static async start(options: { dataDir?: string; port?: number } = {}): Promise<GatewayProcess> {
    if (!existsSync(gatewayDll)) {
      throw new Error(`${gatewayDll} is missing: build the gateway first (dotnet build ActorQuotes.sln -c Release).`);
    }
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'aq-e2e-'));
    const child = spawn(
      'dotnet',
      [
        gatewayDll,
        `--urls=http://127.0.0.1:${options.port ?? 0}`,
        `--Storage:DataDirectory=${dataDir}`,
        '--Auth:PasswordIterations=100000',
        '--Feeds:Simulated:Enabled=true',
        '--Feeds:Simulated:TicksPerSecond=200',
        '--Logging:LogLevel:Default=Information',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOTNET_NOLOGO: '1' } },
    );
    const gateway = new GatewayProcess(child, dataDir);
    gateway.port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the gateway did not start within ${startTimeoutMs / 1000} s:\n${gateway.output}`));
      }, startTimeoutMs);
      const onData = (chunk: Buffer) => {
        gateway.output += chunk.toString();
        const match = /Now listening on: http:\/\/127\.0\.0\.1:(\d+)/.exec(gateway.output);
        if (match) {
          clearTimeout(timer);
          resolvePort(Number(match[1]));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the gateway exited with ${code} before it listened:\n${gateway.output}`));
      });
    });
    return gateway;
  }

  /** SIGTERM, as systemd or Ctrl+C would: the gateway closes its streams with 1012 and exits. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout('timeout'), stopTimeoutMs);
    });
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`the gateway did not stop within ${stopTimeoutMs / 1000} s of SIGTERM:\n${this.output}`);
    }
    return result;
  }

  removeData(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
