import { Controller, createParamDecorator, Delete, ExecutionContext, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AppConfig } from '../../core/config/app-config';
import { CurrentUser, Principal, Roles } from '../../core/http/access.decorators';
import type { BodyLimit } from '../../core/http/body-parsers';
import { Consumes } from '../../core/http/consumes.decorator';
import { PageQueryDto } from '../../core/http/pagination';
import {
  SeriesCountDto,
  SeriesCsvQueryDto,
  SeriesForecastDto,
  SeriesForecastQueryDto,
  SeriesMetricsDto,
  SeriesPageDto,
  SeriesPointsCreateDto,
  SeriesReadQueryDto,
  SeriesResponseDto,
  SeriesUniformCreateDto,
  SeriesWithPointsDto,
  toSeriesResponse,
} from './dto/series.dto';
import { UniformBodyReader } from './dto/uniform-body';
import { negotiateFormat, sendSeries } from './encoding/series-response';
import { SeriesForecastService } from './series-forecast.service';
import { SeriesService } from './series.service';

/** The parsed body as it is: the global ValidationPipe would walk a million points through class-transformer. */
const RawBody = createParamDecorator((_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<Request>().body as unknown);

/**
 * The store route takes SERIES_MAX_POINTS points in any of its forms. The points form is the
 * widest: about 75 bytes a point compact (`{"timestamp":"2025-11-22T10:15:00.123Z","value":
 * -1.2345678901234567e-100},`), up to about 110 pretty-printed; 128 bytes a point plus 1 MB
 * covers all three forms. Over the limit is a 413 before anything is parsed.
 */
export const SERIES_BODY_LIMIT = (config: AppConfig): BodyLimit => {
  const megabytes = Math.ceil((config.seriesMaxPoints * 128) / 1024 / 1024) + 1;
  return {
    prefix: '/api/v1/series',
    limit: `${megabytes}mb`,
    textTypes: ['text/csv'],
    // The uniform form's values straight into a Float64Array, parsed as they arrive; anything else parses as usual.
    parseJson: (declaredLength) => new UniformBodyReader(declaredLength, megabytes * 1024 * 1024),
  };
};

@ApiTags('series')
@ApiBearerAuth()
@Roles('user')
@ApiForbiddenResponse({ description: 'Admins manage users only' })
@ApiExtraModels(SeriesPointsCreateDto, SeriesUniformCreateDto, SeriesWithPointsDto)
@Controller('api/v1/series')
export class SeriesController {
  constructor(
    private readonly series: SeriesService,
    private readonly forecasts: SeriesForecastService,
  ) {}

  @Post()
  @HttpCode(201)
  @Consumes('application/json', 'text/csv')
  @ApiConsumes('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Store a time series',
    description:
      'Three forms: JSON `points` (any order), JSON `start` + `sampling_rate_hz` + `values` (uniform), or `text/csv` ' +
      '`timestamp,value` lines (header optional; `name` and `unit` as query parameters). Metrics are computed now.',
  })
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(SeriesPointsCreateDto) },
        { $ref: getSchemaPath(SeriesUniformCreateDto) },
        { type: 'string', description: 'text/csv', example: 'timestamp,value\n2025-11-22T10:15:00Z,0.1\n2025-11-22T10:15:01Z,0.5\n' },
      ],
    },
  })
  @ApiCreatedResponse({ type: SeriesResponseDto })
  @ApiUnprocessableEntityResponse({ description: 'Empty series, non-number or non-finite value, bad or duplicate timestamp, bad rate; `errors[]` names `points[3].value` or `line 4`' })
  @ApiPayloadTooLargeResponse({ description: 'More than SERIES_MAX_POINTS points (SERIES_TOO_LARGE), or a body over the route limit' })
  async storeSeries(@CurrentUser() me: Principal, @RawBody() body: unknown, @Query() label: SeriesCsvQueryDto, @Req() req: Request): Promise<SeriesResponseDto> {
    const stored = typeof body === 'string' && req.is('text/csv') ? await this.series.storeCsv(me.id, body, label) : await this.series.storeJson(me.id, body);
    return toSeriesResponse(stored);
  }

  @Get('count')
  @ApiOperation({ summary: 'How many series you have' })
  @ApiOkResponse({ type: SeriesCountDto })
  async countSeries(@CurrentUser() me: Principal): Promise<SeriesCountDto> {
    return { count: await this.series.countSeries(me.id) };
  }

  @Get()
  @ApiOperation({ summary: 'Your series (metadata, no points), newest first' })
  @ApiOkResponse({ type: SeriesPageDto })
  listSeries(@CurrentUser() me: Principal, @Query() query: PageQueryDto): Promise<SeriesPageDto> {
    return this.series.listSeries(me.id, query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A series with its points',
    description:
      'JSON by default; `Accept: text/csv` streams `timestamp,value` lines; `Accept: application/octet-stream` answers ' +
      'count float64 little-endian epoch-millisecond timestamps followed by count float64 little-endian values (count in `X-Series-Count`).',
  })
  @ApiOkResponse({
    description: 'The points in time order',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(SeriesWithPointsDto) } },
      'text/csv': { schema: { type: 'string', example: 'timestamp,value\n2025-11-22T10:15:00.000Z,0.1\n' } },
      'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiNotFoundResponse({ description: 'No such series among yours (SERIES_NOT_FOUND)' })
  async getSeries(@CurrentUser() me: Principal, @Param('id') id: string, @Query() query: SeriesReadQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    await sendSeries(res, await this.series.read(me.id, id, query, negotiateFormat(req)));
  }

  @Get(':id/metrics')
  @ApiOperation({ summary: 'Statistics of a series, computed when it was stored' })
  @ApiOkResponse({ type: SeriesMetricsDto })
  @ApiNotFoundResponse({ description: 'No such series among yours (SERIES_NOT_FOUND)' })
  getMetrics(@CurrentUser() me: Principal, @Param('id') id: string): Promise<SeriesMetricsDto> {
    return this.series.getMetrics(me.id, id);
  }

  @Get(':id/forecast')
  @ApiOperation({
    summary: 'Forecast the next `horizon` points',
    description: 'Fitted on the most recent 10,000 points. `auto` picks the method with the lowest back-test RMSE on the held-out tail.',
  })
  @ApiOkResponse({ type: SeriesForecastDto })
  @ApiNotFoundResponse({ description: 'No such series among yours (SERIES_NOT_FOUND)' })
  @ApiUnprocessableEntityResponse({ description: 'Bad horizon or method, or a series the method cannot fit (SERIES_NOT_FORECASTABLE)' })
  forecastSeries(@CurrentUser() me: Principal, @Param('id') id: string, @Query() query: SeriesForecastQueryDto): Promise<SeriesForecastDto> {
    return this.forecasts.forecast(me.id, id, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a series and its points' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such series among yours (SERIES_NOT_FOUND)' })
  async deleteSeries(@CurrentUser() me: Principal, @Param('id') id: string): Promise<void> {
    await this.series.deleteSeries(me.id, id);
  }
}
