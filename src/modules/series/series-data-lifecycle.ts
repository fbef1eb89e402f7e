import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataLifecycleRegistry, type FeatureDataLifecycle } from '../../core/data-lifecycle/feature-data-lifecycle';
import { SeriesRepository } from './series.repository';

/** Series' part of erasure: rows only (the points are stored in the row); kept until deleted. */
@Injectable()
export class SeriesDataLifecycle implements FeatureDataLifecycle, OnModuleInit {
  readonly name = 'series';

  constructor(
    private readonly series: SeriesRepository,
    private readonly registry: DataLifecycleRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  eraseOwner(userId: string): Promise<void> {
    return this.series.deleteAllOwned(userId);
  }
}
