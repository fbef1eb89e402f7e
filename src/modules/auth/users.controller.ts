import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentUser, Principal, Roles } from '../../core/http/access.decorators';
import { clientAddress } from './auth.controller';
import { PasswordChangeDto, toUserResponse, UserCreateDto, UserResponseDto } from './dto/user.dto';
import { TokenService } from './token.service';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiOperation({ summary: 'Create a user (admins only)' })
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiConflictResponse({ description: 'The username is taken' })
  @ApiForbiddenResponse({ description: 'The caller is not an admin' })
  async createUser(@CurrentUser() me: Principal, @Body() body: UserCreateDto, @Req() req: Request): Promise<UserResponseDto> {
    return toUserResponse(await this.users.createUser(body, { user: me, requestId: req.id === undefined ? null : String(req.id) }));
  }

  @Get('me')
  @ApiOperation({ summary: 'The caller' })
  @ApiOkResponse({ type: UserResponseDto })
  async getMe(@CurrentUser() me: Principal): Promise<UserResponseDto> {
    // The row the token was checked against (at most PRINCIPAL_CACHE_MS old, dropped by revocations).
    return toUserResponse(this.tokens.userRowOf(me) ?? (await this.users.getUser(me.id)));
  }

  @Post('me/password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change your password', description: 'Every other token of yours is revoked at once; the one in use stays valid.' })
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiUnauthorizedResponse({ description: 'The current password is wrong (INVALID_CURRENT_PASSWORD), or no valid token' })
  @ApiUnprocessableEntityResponse({ description: 'The new password is not 10 to 256 characters' })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong current passwords (LOGIN_THROTTLED); `Retry-After` says when to try again' })
  async changeMyPassword(@CurrentUser() me: Principal, @Body() body: PasswordChangeDto, @Req() req: Request): Promise<void> {
    await this.users.changeOwnPassword(me, body.current_password, body.new_password, clientAddress(req));
  }
}
