import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { ThrottlerGuard } from '@nestjs/throttler';
import { CurrentUser, Principal, Public } from '../../core/http/access.decorators';
import { Consumes } from '../../core/http/consumes.decorator';
import { TokenRequestDto, TokenResponseDto } from './dto/token.dto';
import { UsersService } from './users.service';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly users: UsersService) {}

  @Post('token')
  @Public()
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  @Consumes('application/json', 'application/x-www-form-urlencoded')
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: TokenRequestDto })
  @ApiOperation({ summary: 'Exchange a username and password for a bearer token' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password (one answer for both)' })
  @ApiTooManyRequestsResponse({
    description: 'Too many attempts from this address (RATE_LIMITED), or too many failed logins for this username or address (LOGIN_THROTTLED); `Retry-After` says when to try again',
  })
  async createToken(@Body() body: TokenRequestDto, @Req() req: Request): Promise<TokenResponseDto> {
    const { token, expiresInS } = await this.users.issueToken(body.username, body.password, clientAddress(req));
    return { access_token: token, token_type: 'Bearer', expires_in: expiresInS };
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke the token of this request', description: 'On every gateway at once: REST, Socket.IO and WebSocket connections opened with it close.' })
  @ApiNoContentResponse({ description: 'The token is refused from now on' })
  @ApiUnauthorizedResponse({ description: 'No valid token' })
  async logout(@CurrentUser() me: Principal): Promise<void> {
    await this.users.logout(me);
  }
}

/** The client as Express sees it: the TCP peer, or X-Forwarded-For when TRUST_PROXY says so. */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
