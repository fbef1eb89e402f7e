import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/app-config';

/** Socket.IO server options that come from the configuration (the gateway decorator's are static). */
export class RealtimeIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): unknown {
    return super.createIOServer(port, {
      ...options,
      // The same origins as REST, for the long-polling transport (WebSocket is not subject to CORS).
      cors: { origin: this.config.corsOrigins === '*' ? true : this.config.corsOrigins, credentials: false },
      serveClient: false,
      // Clients only send subscribe / unsubscribe requests.
      maxHttpBufferSize: 16 * 1024,
    });
  }
}
