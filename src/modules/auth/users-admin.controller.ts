import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentUser, Principal, Roles } from '../../core/http/access.decorators';
import { PageQueryDto } from '../../core/http/pagination';
import { AuditEventPageDto } from './dto/audit-event.dto';
import { toUserAdminResponse, UserAdminResponseDto, UserErasingDto, UserListQueryDto, UserPageDto, UserPatchDto } from './dto/user.dto';
import { UserAdminService } from './user-admin.service';
import type { Actor } from './users.service';

const actorOf = (me: Principal, req: Request): Actor => ({ user: me, requestId: req.id === undefined ? null : String(req.id) });

@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@ApiForbiddenResponse({ description: 'The caller is not an admin' })
@Controller('api/v1/users')
export class UsersAdminController {
  constructor(private readonly admin: UserAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Users by username (admins only)', description: '`?q=` keeps usernames starting with it, in any case.' })
  @ApiOkResponse({ type: UserPageDto })
  listUsers(@Query() query: UserListQueryDto): Promise<UserPageDto> {
    return this.admin.listUsers(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A user (admins only)' })
  @ApiOkResponse({ type: UserAdminResponseDto })
  @ApiNotFoundResponse({ description: 'No such user (USER_NOT_FOUND)' })
  async getUser(@Param('id') id: string): Promise<UserAdminResponseDto> {
    return toUserAdminResponse(await this.admin.getUser(id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a user\'s role, disable or enable them, or reset their password (admins only)',
    description: 'A role change, `disabled: true` or a password revokes every token the user holds at once, on REST, Socket.IO and WebSocket.',
  })
  @ApiOkResponse({ type: UserAdminResponseDto })
  @ApiNotFoundResponse({ description: 'No such user (USER_NOT_FOUND)' })
  @ApiConflictResponse({ description: 'That would leave no enabled admin (LAST_ADMIN)' })
  async changeUser(@CurrentUser() me: Principal, @Param('id') id: string, @Body() body: UserPatchDto, @Req() req: Request): Promise<UserAdminResponseDto> {
    return toUserAdminResponse(await this.admin.changeUser(actorOf(me, req), id, body));
  }

  @Delete(':id')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Delete a user and erase everything of theirs (admins only)',
    description: 'The account is disabled and its tokens revoked at once; its rows and stored objects are then erased. 404 afterwards; the username can be reused.',
  })
  @ApiAcceptedResponse({ type: UserErasingDto })
  @ApiNotFoundResponse({ description: 'No such user (USER_NOT_FOUND)' })
  @ApiConflictResponse({ description: 'The last enabled admin cannot be deleted (LAST_ADMIN)' })
  async deleteUser(@CurrentUser() me: Principal, @Param('id') id: string, @Req() req: Request): Promise<UserErasingDto> {
    await this.admin.deleteUser(actorOf(me, req), id);
    return { status: 'erasing' };
  }
}

@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@ApiForbiddenResponse({ description: 'The caller is not an admin' })
@Controller('api/v1/audit-events')
export class AuditEventsController {
  constructor(private readonly admin: UserAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Admin actions, newest first (admins only)', description: 'Append-only: users created, changed, disabled, enabled, deleted; passwords reset.' })
  @ApiOkResponse({ type: AuditEventPageDto })
  listAuditEvents(@Query() query: PageQueryDto): Promise<AuditEventPageDto> {
    return this.admin.listAuditEvents(query);
  }
}
