import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiGoneResponse,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AppConfig } from '../../core/config/app-config';
import { CurrentUser, Principal, Roles } from '../../core/http/access.decorators';
import { Consumes } from '../../core/http/consumes.decorator';
import { receiveFile } from '../../core/http/multipart-upload';
import { PageQueryDto } from '../../core/http/pagination';
import {
  EntryQueryDto,
  JobAcceptedDto,
  JobPageDto,
  JobResponseDto,
  LogEntryPageDto,
  RejectionPageDto,
  toJobAccepted,
  toJobResponse,
} from './dto/job.dto';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@ApiBearerAuth()
@Roles('user')
@ApiForbiddenResponse({ description: 'Admins manage users only' })
@Controller('api/v1')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly config: AppConfig,
  ) {}

  @Post('files/upload')
  @HttpCode(202)
  @Consumes('multipart/form-data')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOperation({ summary: 'Upload a .jsonl log file to ingest', description: 'Streamed to storage; answers once stored and queued.' })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not a .jsonl file, or not UTF-8 text' })
  @ApiPayloadTooLargeResponse({ description: 'Over UPLOAD_MAX_BYTES' })
  @ApiUnprocessableEntityResponse({ description: 'No `file` part, or an empty file' })
  async uploadFile(@CurrentUser() me: Principal, @Req() req: Request): Promise<JobAcceptedDto> {
    const job = await receiveFile(req, {
      field: 'file',
      maxBytes: this.config.uploadMaxBytes,
      handle: (file) => this.jobs.upload(me.id, file, String(req.id)),
    });
    return toJobAccepted(job);
  }

  @Get('jobs')
  @ApiOperation({ summary: 'Your jobs, newest first' })
  @ApiOkResponse({ type: JobPageDto })
  async listJobs(@CurrentUser() me: Principal, @Query() query: PageQueryDto): Promise<JobPageDto> {
    const page = await this.jobs.listJobs(me.id, query.limit, query.cursor);
    return { items: page.items.map(toJobResponse), next_cursor: page.next_cursor };
  }

  @Get('jobs/:id')
  @ApiOperation({ summary: 'A job: status, progress and counts' })
  @ApiOkResponse({ type: JobResponseDto })
  @ApiNotFoundResponse({ description: 'No such job among yours (JOB_NOT_FOUND)' })
  async getJob(@CurrentUser() me: Principal, @Param('id') id: string): Promise<JobResponseDto> {
    return toJobResponse(await this.jobs.getJob(me.id, id));
  }

  @Get('jobs/:id/entries')
  @ApiOperation({ summary: 'Ingested entries in line order, filtered' })
  @ApiOkResponse({ type: LogEntryPageDto })
  @ApiGoneResponse({ description: 'Erased after the retention period (JOB_EXPIRED)' })
  async listEntries(@CurrentUser() me: Principal, @Param('id') id: string, @Query() query: EntryQueryDto): Promise<LogEntryPageDto> {
    return this.jobs.listEntries(me.id, id, query);
  }

  @Get('jobs/:id/rejections')
  @ApiOperation({ summary: 'Rejected lines with their reasons (the first 10,000 are kept)' })
  @ApiOkResponse({ type: RejectionPageDto })
  @ApiGoneResponse({ description: 'Erased after the retention period (JOB_EXPIRED)' })
  async listRejections(@CurrentUser() me: Principal, @Param('id') id: string, @Query() query: PageQueryDto): Promise<RejectionPageDto> {
    return this.jobs.listRejections(me.id, id, query.limit, query.cursor);
  }

  @Delete('jobs/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a job, its entries, rejections and file' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'The job is being processed (JOB_PROCESSING)' })
  async deleteJob(@CurrentUser() me: Principal, @Param('id') id: string): Promise<void> {
    await this.jobs.deleteJob(me.id, id);
  }
}
