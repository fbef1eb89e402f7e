import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ContentTypeGuard } from './consumes.decorator';
import { ProblemFilter } from './problem.filter';

@Module({
  providers: [
    { provide: APP_FILTER, useClass: ProblemFilter },
    { provide: APP_GUARD, useClass: ContentTypeGuard },
  ],
})
export class HttpModule {}
