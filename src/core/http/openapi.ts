import type { INestApplication } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ApiExcludeController, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  excludeControllersWithoutRoutes(app);
  const config = new DocumentBuilder()
    .setTitle('Horizon API')
    .setDescription(
      'Upload it, process it in the background, watch it finish. Errors are RFC 9457 problem+json with a stable `code`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addOAuth2({ type: 'oauth2', flows: { password: { tokenUrl: '/api/v1/auth/token', scopes: {} } } }, 'oauth2')
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
}

/**
 * Queue consumers are controllers (Nest registers `@EventPattern` handlers only there) but serve no
 * route; left in, Swagger would list their message DTOs as API schemas.
 */
function excludeControllersWithoutRoutes(app: INestApplication): void {
  const scanner = new MetadataScanner();
  for (const { metatype } of app.get(DiscoveryService, { strict: false }).getControllers()) {
    if (!metatype?.prototype) continue;
    const prototype = metatype.prototype as Record<string, unknown>;
    const routes = scanner.getAllMethodNames(prototype).filter((name) => Reflect.hasMetadata(PATH_METADATA, prototype[name] as object));
    if (routes.length === 0) ApiExcludeController()(metatype);
  }
}
