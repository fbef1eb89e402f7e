import { DynamicModule, Module } from '@nestjs/common';
import { ConsoleModule } from './console/console.module';
import { AppConfig } from './core/config/app-config';
import { CoreModule } from './core/core.module';
import { HorizonGraphqlModule } from './core/graphql/graphql.module';
import { HttpModule } from './core/http/http.module';
import { RealtimeGatewayModule } from './core/realtime/realtime-gateway.module';
import { FEATURE_MODULES, FEATURES } from './feature-modules';
import { UserErasureService } from './core/data-lifecycle/user-erasure.service';
import { AuthModule } from './modules/auth/auth.module';

/** The HTTP gateway; with `withWorker` (npm start) it also consumes the queues in-process. */
@Module({})
export class AppModule {
  static register(config: AppConfig, options: { withWorker: boolean }): DynamicModule {
    // DELETE /api/v1/users/{id} erases every row and object of the user (core/data-lifecycle, a
    // global module), not only the account; the same dynamic module is the realtime gateway's
    // token verifier, so Nest builds one auth module.
    const auth = AuthModule.forRoot({ erasure: { useExisting: UserErasureService } });
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config, { consume: options.withWorker, http: true, features: FEATURES }), HttpModule, HorizonGraphqlModule, auth, RealtimeGatewayModule.forRoot({ accessTokens: auth }), ...FEATURE_MODULES, ConsoleModule],
    };
  }
}
