import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StatusSnapshotRegistry } from '../../core/realtime/status-snapshot.registry';
import { EcgAnalysisService } from './ecg-analysis.service';
import { EcgDataLifecycle } from './ecg-data-lifecycle';
import { EcgEvents } from './ecg-events';
import { EcgSweeper } from './ecg-sweeper.service';
import { EcgConsumer } from './ecg.consumer';
import { EcgController } from './ecg.controller';
import { EcgRepository } from './ecg.repository';
import { EcgService } from './ecg.service';
import { EcgLeadEntity } from './entities/ecg-lead.entity';
import { EcgEntity } from './entities/ecg.entity';

/** ECG submission, per-lead analysis in the worker (queue `ecg.analyse`) and the results. */
@Module({
  imports: [TypeOrmModule.forFeature([EcgEntity, EcgLeadEntity])],
  controllers: [EcgController, EcgConsumer],
  providers: [EcgRepository, EcgEvents, EcgService, EcgAnalysisService, EcgSweeper, EcgDataLifecycle],
  exports: [EcgService],
})
export class EcgModule implements OnModuleInit {
  constructor(
    private readonly statusSnapshots: StatusSnapshotRegistry,
    private readonly ecgs: EcgService,
  ) {}

  /** Realtime subscribers to an ECG start from this snapshot, which is also their ownership check. */
  onModuleInit(): void {
    this.statusSnapshots.register('ecg', (ownerId, id) => this.ecgs.getStatus(ownerId, id));
  }
}
