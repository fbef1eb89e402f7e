import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../core/http/pagination';
import type { Role } from '../../../core/http/access.decorators';
import type { UserEntity } from '../entities/user.entity';

export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,64}$/;

export class UserCreateDto {
  @ApiProperty({ example: 'alice', pattern: USERNAME_PATTERN.source })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 3-64 letters, digits, ".", "_" or "-"' })
  username: string;

  @ApiProperty({ minLength: 10, maxLength: 256, format: 'password' })
  @IsString()
  @Length(10, 256, { message: 'password must be 10 to 256 characters' })
  password: string;

  @ApiPropertyOptional({ enum: ['user', 'admin'], default: 'user' })
  @IsOptional()
  @IsIn(['user', 'admin'])
  role?: Role;
}

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty({ enum: ['user', 'admin'] }) role: Role;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export function toUserResponse(user: UserEntity): UserResponseDto {
  return { id: user.id, username: user.username, role: user.role, created_at: user.createdAt.toISOString() };
}

/** What admins see of a user (the list, GET/PATCH by id). */
export class UserAdminResponseDto extends UserResponseDto {
  @ApiProperty({ description: 'A disabled user cannot log in; their tokens are refused' }) disabled: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_login_at: string | null;
}

export function toUserAdminResponse(user: UserEntity): UserAdminResponseDto {
  return { ...toUserResponse(user), disabled: user.disabled, last_login_at: user.lastLoginAt?.toISOString() ?? null };
}

export class UserPageDto {
  @ApiProperty({ type: [UserAdminResponseDto] }) items: UserAdminResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' }) next_cursor: string | null;
}

export class UserListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only usernames starting with this (any case)', maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  q?: string;
}

/** Admin changes; every field optional. A role change, `disabled: true` or a password revokes the user's tokens. */
export class UserPatchDto {
  @ApiPropertyOptional({ enum: ['user', 'admin'] })
  @IsOptional()
  @IsIn(['user', 'admin'])
  role?: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ minLength: 10, maxLength: 256, format: 'password', description: 'A new password (reset)' })
  @IsOptional()
  @IsString()
  @Length(10, 256, { message: 'password must be 10 to 256 characters' })
  password?: string;
}

export class PasswordChangeDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MaxLength(256)
  current_password: string;

  @ApiProperty({ minLength: 10, maxLength: 256, format: 'password' })
  @IsString()
  @Length(10, 256, { message: 'new_password must be 10 to 256 characters' })
  new_password: string;
}

export class UserErasingDto {
  @ApiProperty({ enum: ['erasing'] }) status: 'erasing';
}
