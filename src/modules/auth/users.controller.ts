import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal, Roles } from '../../core/http/access.decorators';
import { toUserResponse, UserCreateDto, UserResponseDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiOperation({ summary: 'Create a user (admins only)' })
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiConflictResponse({ description: 'The username is taken' })
  @ApiForbiddenResponse({ description: 'The caller is not an admin' })
  async createUser(@Body() body: UserCreateDto): Promise<UserResponseDto> {
    return toUserResponse(await this.users.createUser(body));
  }

  @Get('me')
  @ApiOperation({ summary: 'The caller' })
  @ApiOkResponse({ type: UserResponseDto })
  async getMe(@CurrentUser() me: Principal): Promise<UserResponseDto> {
    return toUserResponse(await this.users.getUser(me.id));
  }
}
