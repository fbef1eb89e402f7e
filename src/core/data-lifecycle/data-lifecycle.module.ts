import { Global, Module } from '@nestjs/common';
import { DataLifecycleRegistry } from './feature-data-lifecycle';
import { RetentionService } from './retention.service';
import { UserErasureConsumer } from './user-erasure.consumer';
import { UserErasureService } from './user-erasure.service';
import { UserErasureSweeper } from './user-erasure.sweeper';
import { UserErasuresRepository } from './user-erasures.repository';

/**
 * User erasure (queue `users.erase`) and retention over the features' registered lifecycles
 * (docs/data-lifecycle.md). Global so that every feature can register its FeatureDataLifecycle and
 * the auth feature can be handed UserErasureService.
 */
@Global()
@Module({
  controllers: [UserErasureConsumer],
  providers: [DataLifecycleRegistry, UserErasuresRepository, UserErasureService, UserErasureSweeper, RetentionService],
  exports: [DataLifecycleRegistry, UserErasureService, RetentionService],
})
export class DataLifecycleModule {}
