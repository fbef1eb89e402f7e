import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

/** JSON `{username, password}` or the OAuth2 password form Swagger's Authorize sends. */
export class TokenRequestDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @MaxLength(64)
  username: string;

  @ApiProperty({ example: 'change-me-please', format: 'password' })
  @IsString()
  @MaxLength(256)
  password: string;

  @ApiPropertyOptional({ enum: ['password'], description: 'OAuth2 password grant; implied for JSON' })
  @IsOptional()
  @IsIn(['password'])
  grant_type?: 'password';

  // Sent by OAuth2 clients (Swagger UI); accepted and ignored.
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) scope?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) client_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) client_secret?: string;
}

export class TokenResponseDto {
  @ApiProperty() access_token: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type: 'Bearer';
  @ApiProperty({ description: 'Seconds until the token expires' }) expires_in: number;
}
