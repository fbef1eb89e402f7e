import { Logger } from '@nestjs/common';
import { until } from '../../../test/utils/poll';
import { IsString } from 'class-validator';
import type { MessagePublisher } from '../messaging/message-publisher';
import { defineQueue } from '../messaging/queue-definition';
import { StaleWorkSweeper } from './stale-work-sweeper';

class RunMessage {
  @IsString()
  id!: string;
}

const RUN = defineQueue({ name: 'unit.sweeper.run', message: RunMessage, retry: { maxAttempts: 3, backoffMs: 1, maxBackoffMs: 1 } });

interface Row {
  id: string;
}

/** A feature without a retry budget: only the abstract members. */
class TestSweeper extends StaleWorkSweeper<Row, RunMessage> {
  stale: Row[] = [];
  exhausted: Row[] = [];
  readonly announced: Row[] = [];
  claims = 0;

  constructor(publisher: MessagePublisher) {
    super(publisher, RUN, { name: 'test sweep', intervalMs: 10 });
  }

  protected async claimStale(): Promise<Row[]> {
    this.claims++;
    return this.stale;
  }

  protected messageFor(row: Row): RunMessage {
    return { id: row.id };
  }

  protected describe(row: Row): string {
    return `row ${row.id}`;
  }
}

/** A feature with a retry budget that announces failures. */
class BudgetSweeper extends TestSweeper {
  protected override async failExhausted(): Promise<Row[]> {
    return this.exhausted;
  }

  protected override async onFailed(row: Row): Promise<void> {
    this.announced.push(row);
  }
}

function setup(withBudget = true) {
  const publisher = { publish: jest.fn(async () => undefined) };
  const Sweeper = withBudget ? BudgetSweeper : TestSweeper;
  const sweeper = new Sweeper(publisher as unknown as MessagePublisher);
  return { sweeper, publisher };
}

describe('StaleWorkSweeper', () => {
  beforeEach(() => {
    for (const level of ['log', 'warn'] as const) jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('fails and announces what is past its budget, then re-publishes what it claimed to its queue', async () => {
    const { sweeper, publisher } = setup();
    sweeper.exhausted = [{ id: 'x' }];
    sweeper.stale = [{ id: 'a' }, { id: 'b' }];

    await expect(sweeper.sweep()).resolves.toEqual({ failed: 1, republished: 2 });
    expect(sweeper.announced).toEqual([{ id: 'x' }]);
    expect(publisher.publish.mock.calls).toEqual([
      [RUN, { id: 'a' }],
      [RUN, { id: 'b' }],
    ]);
  });

  it('fails nothing when the feature has no budget (the default)', async () => {
    const { sweeper } = setup(false);
    sweeper.exhausted = [{ id: 'x' }];
    await expect(sweeper.sweep()).resolves.toEqual({ failed: 0, republished: 0 });
    expect(sweeper.announced).toEqual([]);
  });

  it('carries on past a row it cannot publish (the next round takes it again)', async () => {
    const { sweeper, publisher } = setup();
    sweeper.stale = [{ id: 'a' }, { id: 'b' }];
    publisher.publish.mockRejectedValueOnce(new Error('broker down'));
    await expect(sweeper.sweep()).resolves.toEqual({ failed: 0, republished: 1 });
    expect(publisher.publish).toHaveBeenCalledTimes(2);
  });

  it('sweeps on its interval from application bootstrap until module destroy', async () => {
    const { sweeper } = setup();
    sweeper.onApplicationBootstrap();
    await until(() => sweeper.claims >= 2, 'two rounds ran');
    await sweeper.onModuleDestroy();
    const claims = sweeper.claims;
    expect(claims).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sweeper.claims).toBe(claims);
  });
});
