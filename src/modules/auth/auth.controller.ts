import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { Public } from '../../core/http/access.decorators';
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
  @ApiTooManyRequestsResponse({ description: 'Too many attempts from this address' })
  async createToken(@Body() body: TokenRequestDto): Promise<TokenResponseDto> {
    const { token, expiresInS } = await this.users.issueToken(body.username, body.password);
    return { access_token: token, token_type: 'Bearer', expires_in: expiresInS };
  }
}
