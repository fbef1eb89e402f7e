import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
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
import {
  TranscriptionAcceptedDto,
  TranscriptionPageDto,
  TranscriptionQueryDto,
  TranscriptionResponseDto,
  toTranscriptionAccepted,
  toTranscriptionResponse,
} from './dto/transcription.dto';
import { SUPPORTED_LANGUAGES } from './search-config';
import { TranscriptionsService } from './transcriptions.service';

@ApiTags('transcriptions')
@ApiBearerAuth()
@Roles('user')
@ApiForbiddenResponse({ description: 'Admins manage users only' })
@Controller('api/v1/transcriptions')
export class TranscriptionsController {
  constructor(
    private readonly transcriptions: TranscriptionsService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @Consumes('multipart/form-data')
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'WAV, MP3, Ogg or FLAC audio (recognised by its bytes)' },
        language: { type: 'string', enum: [...SUPPORTED_LANGUAGES], default: 'en', description: 'Spoken language (ISO 639-1)' },
      },
    },
  })
  @ApiOperation({ summary: 'Upload audio to transcribe', description: 'Streamed to storage; answers once stored and queued.' })
  @ApiAcceptedResponse({ type: TranscriptionAcceptedDto })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not WAV, MP3, Ogg or FLAC audio, or not multipart' })
  @ApiPayloadTooLargeResponse({ description: 'Over STT_UPLOAD_MAX_BYTES' })
  @ApiUnprocessableEntityResponse({ description: 'No `file` part, an empty file, or an unsupported `language` (the answer lists the supported ones)' })
  async uploadAudio(@CurrentUser() me: Principal, @Req() req: Request): Promise<TranscriptionAcceptedDto> {
    const transcription = await receiveFile(req, {
      field: 'file',
      maxBytes: this.config.stt.uploadMaxBytes,
      handle: (file) => this.transcriptions.upload(me.id, file, req.id === undefined ? undefined : String(req.id)),
    });
    return toTranscriptionAccepted(transcription);
  }

  @Get()
  @ApiOperation({
    summary: 'Your transcriptions, newest first; with `q`, a ranked full-text search',
    description: 'Search hits carry `rank` and a `snippet` with the matched words between `**` markers.',
  })
  @ApiOkResponse({ type: TranscriptionPageDto })
  @ApiUnprocessableEntityResponse({ description: 'An empty or blank `q`, or a bad `limit` / `cursor`' })
  async listTranscriptions(@CurrentUser() me: Principal, @Query() query: TranscriptionQueryDto): Promise<TranscriptionPageDto> {
    return query.q === undefined
      ? this.transcriptions.listTranscriptions(me.id, query.limit, query.cursor)
      : this.transcriptions.search(me.id, query.q, query.limit, query.cursor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A transcription: status, then the transcript with timed segments' })
  @ApiOkResponse({ type: TranscriptionResponseDto })
  @ApiNotFoundResponse({ description: 'No such transcription among yours (TRANSCRIPTION_NOT_FOUND)' })
  async getTranscription(@CurrentUser() me: Principal, @Param('id') id: string): Promise<TranscriptionResponseDto> {
    return toTranscriptionResponse(await this.transcriptions.getTranscription(me.id, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a transcription: its audio, text and segments' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such transcription among yours (TRANSCRIPTION_NOT_FOUND)' })
  @ApiConflictResponse({ description: 'The transcription is being processed (TRANSCRIPTION_PROCESSING)' })
  async deleteTranscription(@CurrentUser() me: Principal, @Param('id') id: string): Promise<void> {
    await this.transcriptions.deleteTranscription(me.id, id);
  }
}
