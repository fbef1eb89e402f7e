import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataLifecycleRegistry, type FeatureDataLifecycle } from '../../core/data-lifecycle/feature-data-lifecycle';
import { EcgRepository } from './ecg.repository';

/**
 * ECGs' part of erasure. ECGs keep no objects and no separate original: the signals are the
 * record the insights describe, kept until the owner deletes the ECG (docs/data-lifecycle.md).
 */
@Injectable()
export class EcgDataLifecycle implements FeatureDataLifecycle, OnModuleInit {
  readonly name = 'ecgs';

  constructor(
    private readonly ecgs: EcgRepository,
    private readonly registry: DataLifecycleRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  eraseOwner(userId: string): Promise<void> {
    return this.ecgs.deleteAllOwned(userId);
  }
}
