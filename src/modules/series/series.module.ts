import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EncodedPointsCache } from './encoding/encoded-points.cache';
import { PointFormatEngine } from './encoding/point-format.engine';
import { SeriesEntity } from './entities/series.entity';
import { SeriesForecastService } from './series-forecast.service';
import { SeriesController } from './series.controller';
import { SeriesRepository } from './series.repository';
import { SeriesService } from './series.service';
import { SeriesDataLifecycle } from './series-data-lifecycle';

/** Time series: stored whole with their metrics, read back in three formats, forecast on demand. No queue. */
@Module({
  imports: [TypeOrmModule.forFeature([SeriesEntity])],
  controllers: [SeriesController],
  providers: [SeriesRepository, SeriesService, SeriesForecastService, EncodedPointsCache, PointFormatEngine, SeriesDataLifecycle],
  exports: [SeriesService],
})
export class SeriesModule {}
