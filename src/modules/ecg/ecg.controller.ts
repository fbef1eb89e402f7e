import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentUser, Principal, Roles } from '../../core/http/access.decorators';
import type { BodyLimit } from '../../core/http/body-parsers';
import { PageQueryDto } from '../../core/http/pagination';
import { EcgCreateBody } from './dto/ecg-create.pipe';
import {
  EcgAcceptedDto,
  EcgCreateDto,
  EcgPageDto,
  EcgResponseDto,
  toEcgAccepted,
  toEcgResponse,
} from './dto/ecg.dto';
import { EcgService } from './ecg.service';

/** 12 leads × 60 s × 1 kHz of int32 samples as JSON text (about 8 MB at full scale), with headroom. */
export const ECG_BODY_LIMIT: BodyLimit = { prefix: '/api/v1/ecgs', limit: '16mb' };

@ApiTags('ecgs')
@ApiBearerAuth()
@Roles('user')
@ApiForbiddenResponse({ description: 'Admins manage users only' })
@Controller('api/v1/ecgs')
export class EcgController {
  constructor(private readonly ecgs: EcgService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Submit an ECG for analysis', description: 'Answers at once; poll the `self` link until `status` is `completed`.' })
  @ApiBody({ type: EcgCreateDto })
  @ApiAcceptedResponse({ type: EcgAcceptedDto })
  @ApiConflictResponse({ description: 'You already submitted an ECG with this id (ECG_ALREADY_EXISTS)' })
  @ApiUnprocessableEntityResponse({ description: 'Invalid ECG; `errors[]` names each field, e.g. `leads[0].signal`' })
  @ApiPayloadTooLargeResponse({ description: 'Body over 16 MB' })
  async submitEcg(@CurrentUser() me: Principal, @EcgCreateBody() body: EcgCreateDto, @Req() req: Request): Promise<EcgAcceptedDto> {
    return toEcgAccepted(await this.ecgs.submit(me.id, body, req.id === undefined ? undefined : String(req.id)));
  }

  @Get()
  @ApiOperation({ summary: 'Your ECGs, newest first' })
  @ApiOkResponse({ type: EcgPageDto })
  async listEcgs(@CurrentUser() me: Principal, @Query() query: PageQueryDto): Promise<EcgPageDto> {
    return this.ecgs.listEcgs(me.id, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An ECG with its per-lead insights (once completed); never the signal' })
  @ApiOkResponse({ type: EcgResponseDto })
  @ApiNotFoundResponse({ description: 'No such ECG among yours (ECG_NOT_FOUND)' })
  async getEcg(@CurrentUser() me: Principal, @Param('id') id: string): Promise<EcgResponseDto> {
    return toEcgResponse(await this.ecgs.getEcg(me.id, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an ECG, its signals and insights' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such ECG among yours (ECG_NOT_FOUND)' })
  @ApiConflictResponse({ description: 'The ECG is being analysed (ECG_PROCESSING)' })
  async deleteEcg(@CurrentUser() me: Principal, @Param('id') id: string): Promise<void> {
    await this.ecgs.deleteEcg(me.id, id);
  }
}
