import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EcgAnalysisService } from './ecg-analysis.service';
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
  controllers: [EcgController],
  providers: [EcgRepository, EcgEvents, EcgService, EcgAnalysisService, EcgConsumer, EcgSweeper],
  exports: [EcgService],
})
export class EcgModule {}
