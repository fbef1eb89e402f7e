import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiFoundResponse,
  ApiGoneResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '../../core/config/app-config';
import { CurrentUser, Principal, Roles } from '../../core/http/access.decorators';
import { type IncomingFile, receiveFile, receiveRawFile } from '../../core/http/multipart-upload';
import { Consumes } from '../../core/http/consumes.decorator';
import { TaskCreateDto, TaskListQueryDto, TaskPageDto, TaskResponseDto, toTaskResponse } from './dto/task.dto';
import { TasksService } from './tasks.service';

const UPLOAD_TYPES = ['multipart/form-data', 'application/octet-stream', 'image/*', 'video/*'];

@ApiTags('tasks')
@ApiBearerAuth()
@Roles('user')
@ApiForbiddenResponse({ description: 'Admins manage users only' })
@Controller('api/v1/tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an anonymisation task', description: 'Then PUT the file to `links.upload`.' })
  @ApiCreatedResponse({ type: TaskResponseDto })
  @ApiUnprocessableEntityResponse({ description: 'Unknown, empty or repeated objects; bad media type, method or quality' })
  async createTask(@CurrentUser() me: Principal, @Body() body: TaskCreateDto): Promise<TaskResponseDto> {
    return toTaskResponse(await this.tasks.create(me.id, body));
  }

  @Put(':id/file')
  @HttpCode(202)
  @Consumes(...UPLOAD_TYPES)
  @ApiConsumes(...UPLOAD_TYPES)
  @ApiBody({
    description: 'The image or video: the raw bytes, or a multipart field `file`',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiOperation({ summary: "Upload the task's image or video", description: 'Streamed to storage; the task is then queued.' })
  @ApiAcceptedResponse({ type: TaskResponseDto })
  @ApiNotFoundResponse({ description: 'No such task among yours (TASK_NOT_FOUND)' })
  @ApiConflictResponse({ description: 'The task already has its file (TASK_ALREADY_UPLOADED)' })
  @ApiUnsupportedMediaTypeResponse({ description: "Not a JPEG/PNG/WebP image or MP4/MOV/WebM/AVI video, or not the task's media_type" })
  @ApiPayloadTooLargeResponse({ description: 'Over UPLOAD_MAX_BYTES, or an image over TASKS_MAX_PIXELS (IMAGE_TOO_LARGE)' })
  @ApiUnprocessableEntityResponse({ description: 'An empty file, or no `file` part' })
  async uploadTaskFile(@CurrentUser() me: Principal, @Param('id') id: string, @Req() req: Request): Promise<TaskResponseDto> {
    const maxBytes = this.config.uploadMaxBytes;
    const handle = (file: IncomingFile) => this.tasks.upload(me.id, id, file, String(req.id));
    const task = req.is('multipart/form-data') ? await receiveFile(req, { field: 'file', maxBytes, handle }) : await receiveRawFile(req, { maxBytes, handle });
    return toTaskResponse(task);
  }

  @Get()
  @ApiOperation({ summary: 'Your tasks, newest first' })
  @ApiOkResponse({ type: TaskPageDto })
  async listTasks(@CurrentUser() me: Principal, @Query() query: TaskListQueryDto): Promise<TaskPageDto> {
    const page = await this.tasks.listTasks(me.id, query.limit, query.cursor, query.status);
    return { items: page.items.map(toTaskResponse), next_cursor: page.next_cursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A task and its processing info' })
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiNotFoundResponse({ description: 'No such task among yours (TASK_NOT_FOUND)' })
  async getTask(@CurrentUser() me: Principal, @Param('id') id: string): Promise<TaskResponseDto> {
    return toTaskResponse(await this.tasks.getTask(me.id, id));
  }

  @Get(':id/result')
  @ApiOperation({ summary: 'Download the anonymised file', description: 'Streamed, or a 302 to a short-lived presigned URL on S3.' })
  @ApiProduces('image/jpeg', 'image/png', 'image/webp', 'video/mp4')
  @ApiOkResponse({ description: 'The anonymised file', schema: { type: 'string', format: 'binary' } })
  @ApiFoundResponse({ description: 'Redirect to a presigned URL' })
  @ApiNotFoundResponse({ description: 'No such task among yours (TASK_NOT_FOUND)' })
  @ApiConflictResponse({ description: 'Not processed (yet) (TASK_NOT_PROCESSED)' })
  @ApiGoneResponse({ description: 'Erased after the retention period (TASK_RESULT_EXPIRED)' })
  async getTaskResult(@CurrentUser() me: Principal, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<StreamableFile | void> {
    const result = await this.tasks.getResult(me.id, id);
    if (result.kind === 'redirect') return res.redirect(302, result.url);
    return new StreamableFile(result.stream, {
      type: result.contentType,
      disposition: `attachment; filename="${result.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(result.fileName)}`,
      ...(result.size !== null ? { length: result.size } : {}),
    });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the binaries of a task', description: 'The status becomes deleted; the processing info stays readable.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such task among yours (TASK_NOT_FOUND)' })
  async deleteTask(@CurrentUser() me: Principal, @Param('id') id: string): Promise<void> {
    await this.tasks.deleteTask(me.id, id);
  }
}
