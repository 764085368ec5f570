import { Controller, Get, Header, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SORT_JS, STYLES_CSS } from '#reports/index.js';
import { ApiPage } from './page-docs.js';
import { PageSecurityInterceptor } from './page-security.interceptor.js';

/** The pages' stylesheet and sorting script: served locally, never from a CDN; always public. */
@ApiTags('pages')
@Controller('api/static')
@UseInterceptors(PageSecurityInterceptor)
export class StaticAssetsHttpController {
  @Get('styles.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  @ApiPage('text/css', "The pages' stylesheet")
  styles(): string {
    return STYLES_CSS;
  }

  @Get('sort.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  @ApiPage('text/javascript', "Click-to-sort for the pages' tables (optional)")
  sortScript(): string {
    return SORT_JS;
  }
}
