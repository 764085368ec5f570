import { Injectable } from '@nestjs/common';
import { v7 } from 'uuid';
import { IdGenerator } from '#domain/shared/ports.js';

/** UUIDv7 (RFC 9562): time-ordered, so unique indexes on event ids stay append-friendly. */
export function uuidv7(): string {
  return v7();
}

@Injectable()
export class UuidV7IdGenerator extends IdGenerator {
  next(): string {
    return v7();
  }
}
