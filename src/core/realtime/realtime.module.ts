import { Global, Module } from '@nestjs/common';
import { StatusEventPublisher } from './status-event';
import { StatusEventBus } from './status-event-bus';

@Global()
@Module({
  providers: [StatusEventBus, { provide: StatusEventPublisher, useExisting: StatusEventBus }],
  exports: [StatusEventBus, StatusEventPublisher],
})
export class RealtimeModule {}
