import { Args, Field, ID, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CurrentGraphqlUser } from '../../core/graphql/graphql-user.decorator';
import { Principal, Roles } from '../../core/http/access.decorators';
import { toJobResponse } from './dto/job.dto';
import { JobsService } from './jobs.service';

// Field names are the REST ones (snake_case), so both APIs read the same.
@ObjectType('Job')
export class JobModel {
  @Field(() => ID) job_id: string;
  @Field() file_name: string;
  @Field(() => Int, { description: 'Bytes (a file over 2 GiB would need a Float)' }) size_bytes: number;
  @Field() status: string;
  @Field(() => Int) progress: number;
  @Field(() => Int) lines_read: number;
  @Field(() => Int) entries_ingested: number;
  @Field(() => Int) lines_rejected: number;
  @Field() created_at: string;
  @Field(() => String, { nullable: true }) started_at: string | null;
  @Field(() => String, { nullable: true }) completed_at: string | null;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field({ description: 'True once RETENTION_DAYS erased its file, entries and rejections' }) expired: boolean;
  @Field(() => String, { nullable: true }) expired_at: string | null;
}

@ObjectType('JobPage')
export class JobPageModel {
  @Field(() => [JobModel]) items: JobModel[];
  @Field(() => String, { nullable: true }) next_cursor: string | null;
}

function toJobModel(job: Parameters<typeof toJobResponse>[0]): JobModel {
  const { links: _links, ...fields } = toJobResponse(job);
  return fields;
}

@Roles('user')
@Resolver(() => JobModel)
export class JobsResolver {
  constructor(private readonly service: JobsService) {}

  @Query(() => JobModel, { nullable: true, description: 'One of your jobs; null for an unknown or foreign id' })
  async job(@CurrentGraphqlUser() me: Principal, @Args('id', { type: () => ID }) id: string): Promise<JobModel | null> {
    const job = await this.service.findOwned(me.id, id);
    return job ? toJobModel(job) : null;
  }

  @Query(() => JobPageModel, { description: 'Your jobs, newest first' })
  async jobs(
    @CurrentGraphqlUser() me: Principal,
    @Args('limit', { type: () => Int, defaultValue: 50 }) limit: number,
    @Args('cursor', { type: () => String, nullable: true }) cursor?: string,
  ): Promise<JobPageModel> {
    const page = await this.service.listJobs(me.id, Math.min(Math.max(limit, 1), 500), cursor ?? undefined);
    return { items: page.items.map(toJobModel), next_cursor: page.next_cursor };
  }
}
