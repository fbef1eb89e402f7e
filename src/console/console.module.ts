import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Module, Redirect, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Application } from 'express';
import serveStatic from 'serve-static';
import { Public } from '../core/http/access.decorators';

export const CONSOLE_PATH = '/console';

/** The console's own files: copied beside the compiled module by `nest build` (nest-cli.json assets). */
export const CONSOLE_DIR = join(__dirname, 'public');

/**
 * The folder of an installed package. Its `exports` map hides the browser builds from
 * `require.resolve`, so this walks up from the main entry to the package's own package.json.
 */
export function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package ${name}: no package.json above ${require.resolve(name)}`);
    dir = parent;
  }
}

/** URL prefix → folder. Browser builds come straight from node_modules (never a CDN: the console works offline). */
export function consoleFolders(): [string, string][] {
  return [
    [`${CONSOLE_PATH}/vendor/htm`, join(packageDir('htm'), 'preact')],
    [`${CONSOLE_PATH}/vendor/socket.io`, join(packageDir('socket.io-client'), 'dist')],
    [`${CONSOLE_PATH}/vendor/uplot`, join(packageDir('uplot'), 'dist')],
    [CONSOLE_PATH, CONSOLE_DIR],
  ];
}

@ApiExcludeController()
@Public()
@Controller()
export class ConsoleRedirectController {
  @Get()
  @Redirect(`${CONSOLE_PATH}/`, 302)
  toConsole(): void {}
}

/**
 * The web console: static ES modules over the public REST + Socket.IO API, on the gateway only
 * (AppModule imports it, the worker never does). Mounted when the app initialises, after the
 * HTTP edge (helmet's CSP, request ids) and before the routes; a missing file falls through to
 * the API's 404. `@nestjs/serve-static` does the same but picks its loader when the module is
 * built, before a testing module has an HTTP adapter, so it serves nothing in the e2e tests.
 */
@Module({ controllers: [ConsoleRedirectController] })
export class ConsoleModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const app = this.adapterHost.httpAdapter?.getInstance<Application>();
    if (!app) return;
    // The modules change with each release and are small: revalidate (ETag) rather than cache blind.
    for (const [prefix, dir] of consoleFolders()) app.use(prefix, serveStatic(dir, { index: ['index.html'], maxAge: 0, fallthrough: true }));
  }
}
