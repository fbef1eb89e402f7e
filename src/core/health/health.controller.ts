import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../http/access.decorators';
import { ReadinessService } from './readiness.service';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Database, broker and storage answer (503 with the failing check otherwise)' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    const { ok, result } = await this.readiness.check();
    if (!ok) res.status(503);
    return result;
  }
}
