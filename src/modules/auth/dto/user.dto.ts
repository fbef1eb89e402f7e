import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
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
