import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { workloadProviders } from '../../core/workload/workload';
import { EcgAnalysisService } from './ecg-analysis.service';
import { EcgDataLifecycle } from './ecg-data-lifecycle';
import { EcgConsumer } from './ecg.consumer';
import { EcgController } from './ecg.controller';
import { EcgRepository } from './ecg.repository';
import { EcgService } from './ecg.service';
import { EcgAnalysisEngine } from './engine/ecg-analysis-engine';
import { RecentSignals } from './recent-signals';
import { ECG_WORKLOAD } from './ecg.workload';
import { EcgLeadEntity } from './entities/ecg-lead.entity';
import { EcgEntity } from './entities/ecg.entity';

/** ECG submission, per-lead analysis in the worker (queue `ecg.analyse`) and the results. */
@Module({
  imports: [TypeOrmModule.forFeature([EcgEntity, EcgLeadEntity])],
  controllers: [EcgController, EcgConsumer],
  providers: [EcgRepository, ...workloadProviders(ECG_WORKLOAD), { provide: RecentSignals, useFactory: () => new RecentSignals() }, EcgService, EcgAnalysisEngine, EcgAnalysisService, EcgDataLifecycle],
  exports: [EcgService],
})
export class EcgModule {}
